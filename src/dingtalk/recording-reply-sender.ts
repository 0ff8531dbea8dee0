import type { EventStore } from '../store/events.js'
import type { InboundMessage } from './message.js'
import type { ReplyContent } from './openapi.js'
import { ReplySender, type ReplyOutcome, type ReplySenderOptions } from './reply.js'

/**
 * A ReplySender that also records undelivered replies as error events (route `reply`), so /diag shows a
 * refused sessionWebhook host or a failing webhook without anyone reading the logs.
 * @example const replies = new RecordingReplySender({ webhookHosts, openapi, log }, events, Date.now)
 */
export class RecordingReplySender extends ReplySender {
  constructor(
    opts: ReplySenderOptions,
    private readonly events: EventStore,
    private readonly now: () => number,
  ) {
    super(opts)
  }

  override async send(msg: InboundMessage, content: ReplyContent): Promise<ReplyOutcome> {
    const outcome = await super.send(msg, content)
    if (outcome === 'refused-host' || outcome === 'failed') this.record(msg, outcome)
    return outcome
  }

  private record(msg: InboundMessage, outcome: 'refused-host' | 'failed'): void {
    const refused = outcome === 'refused-host'
    try {
      this.events.record(
        {
          route: 'reply',
          code: refused ? 'webhook-refused' : 'reply-failed',
          message: refused
            ? `sessionWebhook host ${webhookHost(msg.sessionWebhook)} is not in DINGTALK_WEBHOOK_HOSTS`
            : 'reply not delivered (webhook and proactive send failed)',
          sample: `msgId ${msg.msgId.slice(0, 80)} in ${msg.conversationType} ${msg.conversationId.slice(0, 80)}`,
        },
        this.now(),
      )
    } catch {
      // The reply path already logged the failure; a full disk must not turn it into a crash.
    }
  }
}

// Host and port only: the rest of a session webhook URL carries its session token.
function webhookHost(url: string): string {
  try {
    return new URL(url).host.slice(0, 100) || 'unknown'
  } catch {
    return 'unparsable URL'
  }
}
