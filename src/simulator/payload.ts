import { randomBytes } from 'node:crypto'
import type { SimMessageInput, SimQuote, SimRichSegment } from './types.js'

/** Nicknames for the usual test users, so transcripts read like a real chat. */
const DIRECTORY: Record<string, string> = {
  user1: '张三',
  user2: '李四',
  user3: '王五',
  ops1: '运维一号',
  ops2: '运维二号',
}

/** The corp id the simulator pretends every user and the bot belong to. */
export const SIM_CORP_ID = 'dingsimcorp0000'
/** The corp of external users (no staffId): another organisation. */
const EXTERNAL_CORP_ID = 'dingothercorp9999'

/** The `$:LWCP_v1:$…` form DingTalk uses for sender and bot ids. */
export function lwcpId(seed: string): string {
  return '$:LWCP_v1:$' + Buffer.from(seed, 'utf8').toString('base64')
}

/** Facts about the bot and the session the payload needs. */
export interface PayloadContext {
  now: number
  robotCode: string
  chatbotUserId: string
  sessionWebhook: string
  sessionTtlMs: number
  /** The robot's display name, for the `@name` at the start of group richText. */
  robotName?: string
}

/** A file the payload refers to by downloadCode, with the bytes the download API serves for it. */
export interface PayloadFile {
  downloadCode: string
  bytes: Buffer
  contentType: string
}

/** The built payload plus the derived fields the simulator tracks. */
export interface BuiltPayload {
  payload: Record<string, unknown>
  msgId: string
  conversationId: string
  conversationType: '1' | '2'
  senderStaffId: string | undefined
  expiredTime: number
  files: PayloadFile[]
}

const CONTENT_TYPES: Record<string, string> = { picture: 'image/png', video: 'video/mp4', file: 'application/zip' }

function newCode(): string {
  return randomBytes(12).toString('base64url')
}

/** Non-text message bodies as DingTalk shapes them (fixtures 02–06), with a download code per file. */
function defaultContent(input: SimMessageInput, msgtype: string, text: string, files: PayloadFile[]): unknown {
  const file = (type: string, bytes?: string | Buffer): string => {
    const downloadCode = newCode()
    const data = bytes === undefined ? Buffer.from(`simulated ${type} ${downloadCode}`) : Buffer.from(bytes)
    files.push({ downloadCode, bytes: data, contentType: CONTENT_TYPES[type] ?? 'application/octet-stream' })
    return downloadCode
  }
  switch (msgtype) {
    case 'audio':
      return { recognition: text, duration: 2000, downloadCode: newCode() }
    case 'picture': {
      const downloadCode = file('picture', input.file)
      return { pictureDownloadCode: newCode(), downloadCode }
    }
    case 'video':
      return { duration: '5', videoType: 'mp4', downloadCode: file('video', input.file) }
    case 'richText':
      return { richText: richText(input.segments ?? [{ text }], file) }
    case 'file':
      return { spaceId: '1', fileName: 'foobar.zip', downloadCode: file('file', input.file), fileId: newCode() }
    default:
      return {}
  }
}

/** richText segments: text ones have no `type` key (fixture 06); pictures carry two download codes. */
function richText(segments: SimRichSegment[], file: (type: string, bytes: string | Buffer) => string): unknown[] {
  return segments.map((s) =>
    'text' in s
      ? { text: s.text }
      : { pictureDownloadCode: newCode(), downloadCode: file('picture', s.picture), type: 'picture' },
  )
}

/** `text.isReplyMsg` and `text.repliedMsg`, in the shape the quote asks for. */
function quoteFields(q: SimQuote, now: number): Record<string, unknown> {
  const msgType = q.msgtype ?? 'text'
  const body =
    msgType === 'interactiveCard' || q.text === undefined ? {} : { content: { [q.shape ?? 'content']: q.text } }
  return {
    isReplyMsg: true,
    repliedMsg: {
      msgType,
      msgId: 'msg' + newCode(),
      senderId: q.senderId ?? lwcpId('user2'),
      createdAt: q.createdAt ?? now - 60_000,
      ...body,
    },
  }
}

/**
 * Build the CALLBACK `data` object of DINGTALK.md §4 from a {@link SimMessageInput}.
 * @example
 * buildRobotPayload({ text: 'hi' }, ctx).payload.text // { content: 'hi' }
 */
export function buildRobotPayload(input: SimMessageInput, ctx: PayloadContext): BuiltPayload {
  const staffId = input.senderStaffId === null ? undefined : (input.senderStaffId ?? 'user1')
  // External users have no staff id; give them a stable pseudo-identity for the ids derived from it.
  const identity = staffId ?? 'external-' + (input.senderNick ?? 'guest')
  const conversationId = input.conversationId ?? 'cid-dm-' + identity
  const conversationType =
    input.conversationType ??
    (input.conversationId === undefined || input.conversationId.startsWith('cid-dm-') ? '1' : '2')
  const msgId = input.msgId ?? 'msg' + randomBytes(12).toString('base64')
  const createAt = input.createAt ?? ctx.now
  const msgtype = input.msgtype ?? 'text'
  const expiredTime = createAt + ctx.sessionTtlMs

  const payload: Record<string, unknown> = {
    conversationId,
    conversationType,
    ...(input.conversationTitle !== undefined || conversationType === '2'
      ? { conversationTitle: input.conversationTitle ?? '模拟群' }
      : {}),
    msgId,
    msgtype,
  }
  const group = conversationType === '2'
  const files: PayloadFile[] = []
  if (msgtype === 'text') {
    // In a group DingTalk removes the "@BotName" and leaves the space that followed it.
    const text = input.text ?? ''
    payload.text = {
      content: group && !text.startsWith(' ') ? ` ${text}` : text,
      ...(input.quote ? quoteFields(input.quote, createAt) : {}),
    }
  } else payload.content = input.content ?? defaultContent(input, msgtype, input.text ?? '', files)
  if (group && msgtype === 'richText' && input.content === undefined)
    atBotFirst(payload.content, ctx.robotName ?? 'bot')
  if (staffId !== undefined) payload.senderStaffId = staffId
  Object.assign(payload, {
    senderId: input.senderId ?? lwcpId(identity),
    senderNick: input.senderNick ?? (staffId !== undefined ? (DIRECTORY[staffId] ?? staffId) : '外部用户'),
    senderCorpId: input.senderCorpId ?? (staffId === undefined ? EXTERNAL_CORP_ID : SIM_CORP_ID),
    isAdmin: input.isAdmin ?? false,
    chatbotUserId: ctx.chatbotUserId,
    chatbotCorpId: SIM_CORP_ID,
    robotCode: ctx.robotCode,
  })
  // In groups only messages that @ the bot arrive, so they always carry the bot in atUsers.
  if (conversationType === '2') {
    payload.atUsers = [{ dingtalkId: ctx.chatbotUserId }]
    payload.isInAtList = true
  }
  Object.assign(payload, {
    createAt,
    sessionWebhook: ctx.sessionWebhook,
    sessionWebhookExpiredTime: expiredTime,
  })
  if (input.extra) Object.assign(payload, input.extra)
  return { payload, msgId, conversationId, conversationType, senderStaffId: staffId, expiredTime, files }
}

/** A group richText carries the literal `@robotName` at the start of its first segment. */
function atBotFirst(content: unknown, robotName: string): void {
  const segments = (content as { richText?: Record<string, unknown>[] }).richText
  if (!segments) return
  const first = segments[0]
  if (first && typeof first.text === 'string') first.text = `@${robotName} ${first.text}`
  else segments.unshift({ text: `@${robotName} ` })
}
