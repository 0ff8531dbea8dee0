import type { UndeliveredReport } from './dingtalk/reply.js'
import type { EventStore } from './store/events.js'

/**
 * The ReplySender's `onUndelivered` hook: records each undelivered reply as an error event under the route
 * the reply answered (the skill or `/command`; `reply` only when none was given), so /diag shows a refused
 * sessionWebhook host, a failing webhook, or recipients DingTalk refused or flow-controlled, without anyone
 * reading the logs.
 * @example new ReplySender({ webhookHosts, openapi, log, onUndelivered: recordUndelivered(events, Date.now) })
 */
export function recordUndelivered(events: EventStore, now: () => number): (report: UndeliveredReport) => void {
  return ({ msg, route, problem }) => {
    try {
      events.record(
        {
          route: route ?? 'reply',
          code: problem.code,
          message: problem.message,
          sample: `msgId ${msg.msgId.slice(0, 80)} in ${msg.conversationType} ${msg.conversationId.slice(0, 80)}`,
        },
        now(),
      )
    } catch {
      // The reply path already logged the failure; a full disk must not turn it into a crash.
    }
  }
}
