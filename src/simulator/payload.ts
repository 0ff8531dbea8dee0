import { randomBytes } from 'node:crypto'
import type { SimMessageInput } from './types.js'

/** Nicknames for the usual test users, so transcripts read like a real chat. */
const DIRECTORY: Record<string, string> = {
  user1: '张三',
  user2: '李四',
  user3: '王五',
  ops1: '运维一号',
  ops2: '运维二号',
}

/** The corp id the simulator pretends every user and the bot belong to. */
const SIM_CORP_ID = 'dingsimcorp0000'

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
}

/** The built payload plus the derived fields the simulator tracks. */
export interface BuiltPayload {
  payload: Record<string, unknown>
  msgId: string
  conversationId: string
  conversationType: '1' | '2'
  senderStaffId: string | undefined
  expiredTime: number
}

/** Non-text message bodies that carry the typed text in a plausible place. */
function defaultContent(msgtype: string, text: string): unknown {
  const downloadCode = randomBytes(12).toString('base64')
  switch (msgtype) {
    case 'audio':
      return { recognition: text, duration: 2000, downloadCode }
    case 'picture':
      return { downloadCode, pictureDownloadCode: downloadCode }
    case 'richText':
      return { richText: [{ text }] }
    case 'file':
      return { downloadCode, fileName: 'file.txt', fileId: downloadCode, spaceId: '1' }
    default:
      return {}
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
  if (msgtype === 'text') payload.text = { content: input.text ?? '' }
  else payload.content = input.content ?? defaultContent(msgtype, input.text ?? '')
  if (staffId !== undefined) payload.senderStaffId = staffId
  Object.assign(payload, {
    senderId: input.senderId ?? lwcpId(identity),
    senderNick: input.senderNick ?? (staffId !== undefined ? (DIRECTORY[staffId] ?? staffId) : '外部用户'),
    senderCorpId: SIM_CORP_ID,
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
  return { payload, msgId, conversationId, conversationType, senderStaffId: staffId, expiredTime }
}
