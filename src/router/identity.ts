import type { Operator, RouterConfig } from '../config.js'
import type { InboundMessage } from '../dingtalk/message.js'
import { staffActor } from '../store/audit-rejected.js'

/** What the identity rule reads: the configured operators by staffId, the bot's org and the admin conversations. */
export interface IdentityFacts {
  config: Pick<RouterConfig, 'dingtalk' | 'adminConversations'>
  operators: ReadonlyMap<string, Operator>
}

/** Why a sender may not command the router here; the `reason` of its `rejected` audit entry. */
export type RefusalReason = 'not an operator' | 'sender from another org' | 'not an admin conversation'

/** Whether a message's sender may run admin commands in its conversation, and if not, why. */
export type AdminStanding = { ok: true; operator: Operator } | { ok: false; reason: RefusalReason; operator?: Operator }

/**
 * The one identity rule for admin commands and operator-only data: an allowlisted staffId, from the bot's
 * own org (`senderCorpId` equal to `dingtalk.corpId`, else to the message's `chatbotCorpId`; a staffId is
 * only unique within one org), in an admin conversation. A missing corp id fails closed.
 * @example if (!adminStanding(ctx.msg, ctx.services).ok) refuse()
 */
export function adminStanding(msg: InboundMessage, s: IdentityFacts): AdminStanding {
  const listed = msg.senderStaffId ? s.operators.get(msg.senderStaffId) : undefined
  if (!listed) return { ok: false, reason: 'not an operator' }
  const corp = s.config.dingtalk.corpId ?? msg.chatbotCorpId
  if (!corp || msg.senderCorpId !== corp) return { ok: false, reason: 'sender from another org' }
  if (!s.config.adminConversations.includes(msg.conversationId))
    return { ok: false, reason: 'not an admin conversation', operator: listed }
  return { ok: true, operator: listed }
}

/**
 * The audit actor of a sender who is not (here) an operator: never a nickname, which anyone can set.
 * @example senderActor(msg) // 'staff:user9' or 'sender:$:LWCP_v1:$…'
 */
export function senderActor(msg: InboundMessage): string {
  return msg.senderStaffId ? staffActor(msg.senderStaffId) : `sender:${msg.senderId.slice(0, 64)}`
}
