// Reads a robot message's body: its text (typed, spoken or rich) and the files it carries.

/** What every handler returns and the router sends: plain text, or DingTalk markdown with a title (shown in notifications). */
export type ReplyContent = string | { markdown: string; title: string }

/** Kinds of file a user can hand the robot; audio is not one: the router reads its speech-to-text instead. */
export type AttachmentType = 'picture' | 'file' | 'video'

/** A file that came with a message. `downloadCode` fetches it (see MessageFiles), for a limited time. */
export interface Attachment {
  type: AttachmentType
  downloadCode: string
  /** The file name when DingTalk gives one (files do; pictures and videos do not). */
  name?: string
  /** Bytes, when DingTalk gives it. */
  size?: number
  /** Seconds, for videos (DingTalk sends it as a string). */
  durationSeconds?: number
}

/** The message a user quoted when replying (`text.isReplyMsg`); a quoted card carries no text. */
export interface QuotedMessage {
  /** The quoted message's msgtype (`text`, `richText`, `interactiveCard`, …). */
  type: string
  /** The quoted message's sender id, when given. */
  sender?: string
  /** When the quoted message was sent (epoch ms), when given. */
  time?: number
  text?: string
}

/** What the router can read from a message body: its text and its files. `text` undefined means unreadable. */
export interface ReadableContent {
  text: string | undefined
  attachments: Attachment[]
}

const MAX_CODE = 4096
const MAX_TEXT = 100_000

type Bag = Record<string, unknown>

function bag(v: unknown): Bag | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Bag) : undefined
}

function str(v: unknown, max = MAX_TEXT): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined
}

function num(v: unknown): number | undefined {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined
}

/**
 * Reads a robot message body. Text: `text` messages, audio through its speech-to-text, and richText
 * (its text segments in order). Files: pictures, files, videos and the pictures inside richText. In a
 * group, the first richText segment starts with the literal `@BotName`, which is dropped like the
 * leading space of a group `text` message.
 * @example readContent('richText', undefined, { richText: [{ text: 'hi' }] }, false) // { text: 'hi', attachments: [] }
 */
export function readContent(
  msgtype: string,
  textContent: string | undefined,
  content: unknown,
  group: boolean,
): ReadableContent {
  const body = bag(content)
  switch (msgtype) {
    case 'text':
      return { text: (textContent ?? '').trim(), attachments: [] }
    case 'audio': {
      const recognition = str(body?.recognition)?.trim()
      return { text: recognition || undefined, attachments: [] }
    }
    case 'richText':
      return readRichText(body?.richText, group)
    case 'picture':
    case 'file':
    case 'video': {
      const attachment = body ? toAttachment(msgtype, body) : undefined
      return attachment ? { text: '', attachments: [attachment] } : { text: undefined, attachments: [] }
    }
    default:
      return { text: undefined, attachments: [] }
  }
}

function readRichText(segments: unknown, group: boolean): ReadableContent {
  if (!Array.isArray(segments)) return { text: undefined, attachments: [] }
  const lines: string[] = []
  const attachments: Attachment[] = []
  let current = ''
  for (const raw of segments.slice(0, 500)) {
    const s = bag(raw)
    if (!s) continue
    const text = typeof s.text === 'string' && (s.type === undefined || s.type === 'text') ? s.text : undefined
    if (text !== undefined) {
      // Only the first segment of a group message carries the bot's @-mention.
      current += lines.length === 0 && current === '' && group ? text.replace(/^\s*@\S+\s*/, '') : text
      continue
    }
    const attachment = s.type === 'picture' ? toAttachment('picture', s) : undefined
    if (attachment) attachments.push(attachment)
    // A picture between two pieces of text separates them, as it does on screen.
    if (current !== '') lines.push(current)
    current = ''
  }
  if (current !== '') lines.push(current)
  return { text: lines.join('\n').trim(), attachments }
}

function toAttachment(type: AttachmentType, body: Bag): Attachment | undefined {
  const downloadCode = str(body.downloadCode, MAX_CODE) ?? str(body.pictureDownloadCode, MAX_CODE)
  if (!downloadCode) return undefined
  const name =
    str(body.fileName, 512) ?? (type === 'video' && str(body.videoType, 16) ? `video.${body.videoType}` : undefined)
  const size = num(body.fileSize ?? body.size)
  const durationSeconds = type === 'video' ? num(body.duration) : undefined
  return {
    type,
    downloadCode,
    ...(name ? { name } : {}),
    ...(size !== undefined ? { size } : {}),
    ...(durationSeconds !== undefined ? { durationSeconds } : {}),
  }
}

/**
 * The quoted message of a reply, from `text.repliedMsg`. Both published shapes carry the body: at
 * `content.content` and at `content.text`; a quoted richText keeps its text segments; a quoted card has none.
 * @example readQuote({ isReplyMsg: true, repliedMsg: { msgType: 'text', content: { text: 'hi' } } })?.text // 'hi'
 */
export function readQuote(text: unknown): QuotedMessage | undefined {
  const t = bag(text)
  const replied = t?.isReplyMsg === true ? bag(t.repliedMsg) : undefined
  if (!replied) return undefined
  const body = bag(replied.content)
  const quotedText =
    str(body?.content) ?? str(body?.text) ?? (body ? readRichText(body.richText, false).text || undefined : undefined)
  const sender = str(replied.senderId, 256) ?? str(replied.senderStaffId, 256)
  const time = num(replied.createdAt ?? replied.createAt)
  return {
    type: str(replied.msgType, 64) ?? str(replied.msgtype, 64) ?? 'unknown',
    ...(sender ? { sender } : {}),
    ...(time !== undefined ? { time } : {}),
    ...(quotedText?.trim() ? { text: quotedText.trim() } : {}),
  }
}
