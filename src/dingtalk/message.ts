import { z } from 'zod'
import { parseJson } from '../json.js'
import { type Attachment, type QuotedMessage, readContent, readQuote } from './message-content.js'

// Maps a robot CALLBACK's payload to the validated InboundMessage the router works with.

export type { Attachment, AttachmentType, QuotedMessage } from './message-content.js'

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
  /** The sender's organisation; differs from chatbotCorpId for a user from another org. */
  senderCorpId?: string
  /** The robot's organisation. */
  chatbotCorpId?: string
  /** Whether the robot was @-mentioned (groups). */
  isInAtList: boolean
  /** Who the message @-mentions; staffId only for members of the robot's org. */
  atUsers: { dingtalkId: string; staffId?: string }[]
  msgtype: string
  /** The text the user typed (speech-to-text for audio, the text segments of richText); empty for files. */
  text: string
  /** Pictures, files and videos that came with the message (richText pictures included). */
  attachments: Attachment[]
  /** The message this one replies to, when the user quoted one. */
  quoted?: QuotedMessage
  /** False for message types the router cannot read. */
  supported: boolean
  sessionWebhook: string
  sessionWebhookExpiresAt: number
  createdAt: number
  robotCode?: string
}

const MAX_ID = 256
const id = z.string().min(1).max(MAX_ID)

/**
 * Fields DingTalk sends as `""` (or null) when it means absent (`senderStaffId`, `senderNick`, …). They are
 * cleared to undefined before the one parse, in place: a zod preprocess per field was a pipe per field per
 * message, the larger part of the parse's cost (about 40 % of its allocation, measured in a burst).
 */
const blankMeansAbsent = z.object({
  conversationTitle: z.string().max(512),
  senderStaffId: id,
  senderNick: z.string().max(256),
  senderCorpId: z.string().max(MAX_ID),
  chatbotCorpId: z.string().max(MAX_ID),
  isInAtList: z.boolean(),
  // An @-mentioned user's staffId is blank-means-absent too (cleared with the others).
  atUsers: z
    .array(z.object({ dingtalkId: z.string().max(MAX_ID), staffId: z.string().max(MAX_ID).optional() }))
    .max(100),
  chatbotUserId: z.string().max(MAX_ID),
  robotCode: z.string().max(MAX_ID),
})
const BLANKABLE = blankMeansAbsent.keyof().options

const payloadSchema = z.object({
  msgId: id,
  conversationId: id,
  conversationType: z.enum(['1', '2']),
  senderId: id,
  msgtype: z.string().min(1).max(64),
  text: z
    .object({ content: z.string(), isReplyMsg: z.unknown().optional(), repliedMsg: z.unknown().optional() })
    .optional(),
  content: z.unknown().optional(),
  createAt: z.number().int().nonnegative().optional(),
  sessionWebhook: z.string().min(1).max(2048),
  sessionWebhookExpiredTime: z.number().int().nonnegative().optional(),
  ...blankMeansAbsent.partial().shape,
})

const isBlank = (v: unknown) => v === '' || v === null

/** Sets the blank-means-absent fields that are blank to undefined, in the parsed JSON itself (ours to change). */
function clearBlanks(json: unknown): void {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return
  const j = json as Record<string, unknown>
  for (const key of BLANKABLE) if (isBlank(j[key])) j[key] = undefined
  if (!Array.isArray(j.atUsers)) return
  for (const user of j.atUsers as unknown[])
    if (typeof user === 'object' && user !== null && isBlank((user as Record<string, unknown>).staffId))
      (user as Record<string, unknown>).staffId = undefined
}

/** What can still be used from a payload that failed validation: enough to tell the user so. */
export interface SalvagedPayload {
  sessionWebhook: string
  msgId?: string
  conversationId?: string
  conversationType: 'one-to-one' | 'group'
  senderStaffId?: string
}

export type MappedPayload =
  | { kind: 'message'; message: InboundMessage }
  | { kind: 'own' }
  | { kind: 'invalid'; problems: string[]; salvaged?: SalvagedPayload }

/**
 * Maps the `data` of a robot CALLBACK to an InboundMessage. Never throws: hostile input becomes `invalid`.
 * @example const r = mapRobotPayload(frame.data, Date.now()); if (r.kind === 'message') route(r.message)
 */
export function mapRobotPayload(data: string, now: number): MappedPayload {
  const json = parseJson(data)
  if (json === undefined) return { kind: 'invalid', problems: ['data is not JSON'] }
  clearBlanks(json)
  const parsed = payloadSchema.safeParse(json)
  if (!parsed.success) {
    return {
      kind: 'invalid',
      problems: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`),
      salvaged: salvage(json),
    }
  }
  const p = parsed.data
  if (p.chatbotUserId && p.senderId === p.chatbotUserId) return { kind: 'own' }
  const group = p.conversationType === '2'
  const { text, attachments } = readContent(p.msgtype, p.text?.content, p.content, group)
  const quoted = readQuote(p.text)
  const createdAt = p.createAt ?? now
  return {
    kind: 'message',
    message: {
      msgId: p.msgId,
      conversationId: p.conversationId,
      conversationType: group ? 'group' : 'one-to-one',
      conversationTitle: p.conversationTitle,
      senderStaffId: p.senderStaffId,
      senderId: p.senderId,
      senderNick: p.senderNick ?? p.senderStaffId ?? 'unknown',
      senderCorpId: p.senderCorpId,
      chatbotCorpId: p.chatbotCorpId,
      isInAtList: p.isInAtList ?? false,
      atUsers: (p.atUsers ?? []).map((u) =>
        u.staffId ? { dingtalkId: u.dingtalkId, staffId: u.staffId } : { dingtalkId: u.dingtalkId },
      ),
      msgtype: p.msgtype,
      text: text ?? '',
      attachments,
      ...(quoted ? { quoted } : {}),
      supported: text !== undefined,
      sessionWebhook: p.sessionWebhook,
      sessionWebhookExpiresAt: p.sessionWebhookExpiredTime ?? createdAt + 90 * 60_000,
      createdAt,
      robotCode: p.robotCode,
    },
  }
}

/** The reply address and ids of an invalid payload, when they are themselves well-formed. */
function salvage(json: unknown): SalvagedPayload | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined
  const j = json as Record<string, unknown>
  const webhook = z.string().min(1).max(2048).safeParse(j.sessionWebhook)
  if (!webhook.success) return undefined
  const ok = (v: unknown) => (id.safeParse(v).success ? (v as string) : undefined)
  return {
    sessionWebhook: webhook.data,
    msgId: ok(j.msgId),
    conversationId: ok(j.conversationId),
    conversationType: j.conversationType === '2' ? 'group' : 'one-to-one',
    senderStaffId: ok(j.senderStaffId),
  }
}
