import type { InboundMessage } from '../dingtalk/message.js'
import type { AuditLog } from '../store/audit.js'
import { auditRejected } from '../store/audit-rejected.js'

// How a slash command refused on its way in is put on the record, by policy, route and the rate limit alike.

const SHORT_TEXT = 80

/**
 * The `rejected` entry of an admin command refused before it ran (not allowed here, unreadable, unknown,
 * bad arguments): who sent it, in which conversation, why, and its text when short (else its length).
 * @example auditRefusedCommand(services.audit, msg, senderActor(msg), 'status', 'not an admin conversation')
 */
export function auditRefusedCommand(
  audit: Pick<AuditLog, 'append'>,
  msg: InboundMessage,
  actor: string,
  action: string,
  reason: string,
): void {
  const text = msg.text.length <= SHORT_TEXT ? { text: msg.text } : { textLength: msg.text.length }
  auditRejected(audit, {
    actor,
    channel: 'dingtalk',
    action: action.slice(0, 40),
    reason,
    args: { conversationId: msg.conversationId, ...text },
  })
}

/**
 * A refused command's text as the refusal tally keeps it: the text when short, else only its length.
 * @example tallyText('/status') // '/status'
 */
export function tallyText(text: string): string {
  return text.length <= SHORT_TEXT ? text : `(${text.length} characters)`
}
