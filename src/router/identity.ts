// Who a sender is here: the org rule and the one identity rule for commands, card presses and operator data.
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
 * Who did something, and where: a robot message, or a card press (which names the presser's corp, never
 * the robot's: it has no `chatbotCorpId`).
 */
type Sender = Pick<InboundMessage, 'senderStaffId' | 'senderCorpId' | 'chatbotCorpId' | 'conversationId'>

/**
 * The org rule of the identity rule: `senderCorpId` equals our corp, which is `dingtalk.corpId` when set,
 * else the robot's corp DingTalk names in the same payload (`chatbotCorpId`). A staffId is only unique
 * within one org, so a sender of another org is not the member of ours who carries the same id. A missing
 * corp on either side fails closed.
 */
function ofOurOrg(
  config: Pick<RouterConfig, 'dingtalk'>,
  senderCorpId: string | undefined,
  robotCorpId: string | undefined,
): boolean {
  const corp = config.dingtalk.corpId ?? robotCorpId
  return !!corp && senderCorpId === corp
}

/**
 * The one identity rule for admin commands, card presses and operator-only data: an allowlisted staffId,
 * from our own org ({@link ofOurOrg}), in an admin conversation.
 * @example if (!adminStanding(ctx.msg, ctx.services).ok) refuse()
 */
export function adminStanding(msg: Sender, s: IdentityFacts): AdminStanding {
  const listed = msg.senderStaffId ? s.operators.get(msg.senderStaffId) : undefined
  if (!listed) return { ok: false, reason: 'not an operator' }
  if (!ofOurOrg(s.config, msg.senderCorpId, msg.chatbotCorpId)) return { ok: false, reason: 'sender from another org' }
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
