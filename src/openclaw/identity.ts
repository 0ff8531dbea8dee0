import { createHmac } from 'node:crypto'

/** Who a turn is from, as the Gateway sees it: references (keyed hashes unless raw ids are configured). */
export interface TurnIdentity {
  /** `s_…` hash of the sender's staffId (or DingTalk senderId), or the raw staffId. */
  sender: string
  /** `c_…` hash of the conversationId, or the raw id. */
  conversation: string
  /** The OpenAI `user`: stable per route, conversation, sender and session generation. */
  user: string
}

/**
 * Turns DingTalk ids into what leaves the router. With a key, every id is an HMAC-SHA256 reference, so the
 * Gateway can tell people and chats apart (and key its policy on them) without learning a staffId.
 * @example const ids = identityKeys(auditKey); ids.conversation('cid-1', false) // 'c_3f0a…'
 */
export function identityKeys(secret: Buffer) {
  // A key of its own, derived once: a leaked reference says nothing about the audit chain's key.
  const key = createHmac('sha256', secret).update('openclaw-identity-v1').digest()
  const mac = (kind: string, value: string, length: number) =>
    createHmac('sha256', key).update(kind).update('\u0000').update(value).digest('hex').slice(0, length)
  return {
    conversation: (conversationId: string, raw: boolean) =>
      raw ? conversationId : `c_${mac('c', conversationId, 24)}`,
    /**
     * The identity of one turn. `generation` is the conversation's session counter (bumped by /reset), so
     * the same chat keeps its `user` (and its agent session) until someone resets it.
     */
    turn(i: {
      route: string
      conversationId: string
      senderId: string
      generation: number
      raw: boolean
    }): TurnIdentity {
      const conversation = i.raw ? i.conversationId : `c_${mac('c', i.conversationId, 24)}`
      const sender = i.raw ? i.senderId : `s_${mac('s', i.senderId, 24)}`
      const user = i.raw
        ? `dingtalk:${i.route}:${i.conversationId}:${i.senderId}:${i.generation}`
        : `dingtalk:${i.route}:${mac('u', `${i.route}\u0000${i.conversationId}\u0000${i.senderId}\u0000${i.generation}`, 32)}`
      return { sender, conversation, user }
    },
  }
}
