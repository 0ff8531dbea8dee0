import { z } from 'zod'
import { parseJson } from '../json.js'

// Validates the Stream frames DingTalk sends down: JSON envelope, headers and size, never a throw.

/** The robot-message callback topic. */
export const ROBOT_TOPIC = '/v1.0/im/bot/messages/get'

/** Frames larger than this are dropped unread: no real robot message comes close. */
export const MAX_FRAME_BYTES = 1024 * 1024

const headersSchema = z
  .object({
    topic: z.string().max(256).optional(),
    messageId: z.string().min(1).max(256).optional(),
  })
  .passthrough()

const frameSchema = z.object({
  type: z.string().max(32),
  headers: headersSchema,
  data: z.string().optional(),
})

/** A downstream frame whose envelope has been checked. */
export interface Frame {
  type: string
  headers: { topic?: string; messageId?: string; [k: string]: unknown }
  data: string
}

export type ParsedFrame = { ok: true; frame: Frame } | { ok: false; reason: string; messageId?: string }

/**
 * Validates one downstream frame. Never throws: non-JSON, missing headers and oversized frames come back
 * as `ok: false`, with the messageId when one could be read (so a hostile callback can still be acked).
 */
export function parseFrame(raw: unknown): ParsedFrame {
  const text = typeof raw === 'string' ? raw : Buffer.isBuffer(raw) ? raw.toString('utf8') : undefined
  if (text === undefined) return { ok: false, reason: 'frame is not text' }
  if (Buffer.byteLength(text) > MAX_FRAME_BYTES) return { ok: false, reason: `frame over ${MAX_FRAME_BYTES} bytes` }
  const json = parseJson(text)
  if (json === undefined) return { ok: false, reason: 'frame is not JSON' }
  const parsed = frameSchema.safeParse(json)
  if (!parsed.success) {
    const messageId = readMessageId(json)
    return { ok: false, reason: `bad envelope: ${parsed.error.issues[0]?.path.join('.') || 'frame'}`, messageId }
  }
  return { ok: true, frame: { ...parsed.data, data: parsed.data.data ?? '' } }
}

function readMessageId(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined
  const headers = (json as Record<string, unknown>).headers
  if (typeof headers !== 'object' || headers === null) return undefined
  const id = (headers as Record<string, unknown>).messageId
  return typeof id === 'string' && id.length > 0 && id.length <= 256 ? id : undefined
}
