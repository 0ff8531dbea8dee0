import type { EventStore } from '../store/events.js'
import type { InboundMessage } from './message.js'
import { ReplySender, type ReplySenderOptions, type UndeliveredReply } from './reply.js'

/**
 * A ReplySender that also records undelivered replies as error events, under the route the reply answered
 * (the skill or `/command`; `reply` only when none was given), so /diag shows a
 * refused sessionWebhook host, a failing webhook, or recipients DingTalk refused or flow-controlled,
 * without anyone reading the logs, and counts each one as a give-up (`onGiveUp`).
 * @example const replies = new RecordingReplySender({ webhookHosts, openapi, log }, events, Date.now)
 */
export class RecordingReplySender extends ReplySender {
  constructor(
    opts: ReplySenderOptions,
    private readonly events: EventStore,
    private readonly now: () => number,
    private readonly onGiveUp: () => void = () => undefined,
  ) {
    super(opts)
  }

  protected override undelivered(msg: InboundMessage, route: string | undefined, problem: UndeliveredReply): void {
    super.undelivered(msg, route, problem)
    this.onGiveUp()
    try {
      this.events.record(
        {
          route: route ?? 'reply',
          code: problem.code,
          message: problem.message,
          sample: `msgId ${msg.msgId.slice(0, 80)} in ${msg.conversationType} ${msg.conversationId.slice(0, 80)}`,
        },
        this.now(),
      )
    } catch {
      // The reply path already logged the failure; a full disk must not turn it into a crash.
    }
  }
}
