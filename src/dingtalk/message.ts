import { z } from 'zod'

/** A robot message as the router sees it: validated, trimmed, typed. */
export interface InboundMessage {
  msgId: string
  conversationId: string
  conversationType: 'one-to-one' | 'group'
  conversationTitle?: string
  /** The org user id: the identity for every allowlist. Missing for external users. */
  senderStaffId?: string
  senderId: string
  senderNick: string
  msgtype: string
  /** The text the user typed (speech-to-text for audio); empty for types the router cannot read. */
  text: string
  /** False for message types the router does not handle yet. */
  supported: boolean
  sessionWebhook: string
  sessionWebhookExpiresAt: number
  createdAt: number
  robotCode?: string
}

const MAX_ID = 256
const payloadSchema = z.object({
  msgId: z.string().min(1).max(MAX_ID),
  conversationId: z.string().min(1).max(MAX_ID),
  conversationType: z.enum(['1', '2']),
  conversationTitle: z.string().max(512).optional(),
  senderStaffId: z.string().min(1).max(MAX_ID).optional(),
  senderId: z.string().min(1).max(MAX_ID),
  senderNick: z.string().max(256).optional(),
  msgtype: z.string().min(1).max(64),
  text: z.object({ content: z.string() }).optional(),
  content: z.unknown().optional(),
  chatbotUserId: z.string().max(MAX_ID).optional(),
  robotCode: z.string().max(MAX_ID).optional(),
  createAt: z.number().int().nonnegative().optional(),
  sessionWebhook: z.string().min(1).max(2048),
  sessionWebhookExpiredTime: z.number().int().nonnegative().optional(),
})

export type MappedPayload =
  | { kind: 'message'; message: InboundMessage }
  | { kind: 'own' }
  | { kind: 'invalid'; problems: string[] }

/**
 * Maps the `data` of a robot CALLBACK to an InboundMessage. Never throws: hostile input becomes `invalid`.
 * @example const r = mapRobotPayload(frame.data, Date.now()); if (r.kind === 'message') route(r.message)
 */
export function mapRobotPayload(data: string, now: number): MappedPayload {
  let json: unknown
  try {
    json = JSON.parse(data)
  } catch {
    return { kind: 'invalid', problems: ['data is not JSON'] }
  }
  const parsed = payloadSchema.safeParse(json)
  if (!parsed.success) {
    return {
      kind: 'invalid',
      problems: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`),
    }
  }
  const p = parsed.data
  if (p.chatbotUserId && p.senderId === p.chatbotUserId) return { kind: 'own' }
  const text = readableText(p.msgtype, p.text?.content, p.content)
  const createdAt = p.createAt ?? now
  return {
    kind: 'message',
    message: {
      msgId: p.msgId,
      conversationId: p.conversationId,
      conversationType: p.conversationType === '1' ? 'one-to-one' : 'group',
      conversationTitle: p.conversationTitle,
      senderStaffId: p.senderStaffId,
      senderId: p.senderId,
      senderNick: p.senderNick ?? p.senderStaffId ?? 'unknown',
      msgtype: p.msgtype,
      text: text ?? '',
      supported: text !== undefined,
      sessionWebhook: p.sessionWebhook,
      sessionWebhookExpiresAt: p.sessionWebhookExpiredTime ?? createdAt + 90 * 60_000,
      createdAt,
      robotCode: p.robotCode,
    },
  }
}

/** Text for the types we can read: plain text, and the speech-to-text of audio. */
function readableText(msgtype: string, textContent: string | undefined, content: unknown): string | undefined {
  if (msgtype === 'text') return (textContent ?? '').trim()
  if (msgtype === 'audio' && typeof content === 'object' && content !== null) {
    const recognition = (content as Record<string, unknown>).recognition
    if (typeof recognition === 'string' && recognition.trim()) return recognition.trim()
  }
  return undefined
}
