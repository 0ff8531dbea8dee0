import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { isRecord, readBody, sendJson } from './http-util.js'
import { parseJson } from '../json.js'
import type { NewReply, ReplyLog } from './replies.js'

// The simulator's sessionWebhooks: sessions that expire like DingTalk's, and the replies posted to them.

/** The real limit is about 20,000 bytes (DINGTALK.md §5). */
const WEBHOOK_MAX_BYTES = 20_000

interface Session {
  msgId: string
  conversationId: string
  expiredTime: number
  expired: boolean
}

type Parsed = Pick<NewReply, 'msgtype' | 'text' | 'title' | 'atUserIds'>

/** Decides, per POST to a valid session, an HTTP status to fail it with (0: never answer), or undefined to accept it. */
export type WebhookFault = (msgId: string) => number | undefined

const str = (v: unknown): v is string => typeof v === 'string'

/** `at.atUserIds`, when the body has a well-formed one. */
function atUserIds(body: Record<string, unknown>): { atUserIds?: string[] } {
  const ids = isRecord(body.at) ? body.at.atUserIds : undefined
  return Array.isArray(ids) && ids.every(str) && ids.length > 0 ? { atUserIds: ids } : {}
}

/** Validate a session-webhook body; a string is the error message. */
function parseReply(body: unknown): Parsed | string {
  if (!isRecord(body) || !str(body.msgtype)) return '缺少参数 msgtype'
  const parsed = parseContent(body)
  return typeof parsed === 'string' ? parsed : { ...parsed, ...atUserIds(body) }
}

function parseContent(body: Record<string, unknown>): Parsed | string {
  if (!str(body.msgtype)) return '缺少参数 msgtype'
  const part = body[body.msgtype]
  if (!isRecord(part)) return `缺少参数 ${body.msgtype}`
  switch (body.msgtype) {
    case 'text':
      return str(part.content) ? { msgtype: 'text', text: part.content } : '缺少参数 text.content'
    case 'markdown':
    case 'actionCard':
      return str(part.title) && str(part.text)
        ? { msgtype: body.msgtype, text: part.text, title: part.title }
        : `缺少参数 ${body.msgtype}.title/text`
    default:
      return `不支持的消息类型 ${body.msgtype}`
  }
}

/** A fresh, unguessable `session` parameter (it is a credential in the real service). */
export function newSessionToken(): string {
  return randomBytes(16).toString('hex')
}

/**
 * Session webhooks: one per inbound message, valid until `sessionWebhookExpiredTime` (DINGTALK.md §5).
 * @example
 * webhooks.open(newSessionToken(), msgId, conversationId, expiredTime)
 */
export class Webhooks {
  private readonly sessions = new Map<string, Session>()
  /** Fault injection: an HTTP status to answer instead of accepting the reply (nothing is recorded). */
  fault?: WebhookFault

  constructor(
    private readonly now: () => number,
    private readonly log: ReplyLog,
  ) {}

  /** Open the session `token` (the URL's `session` parameter) for an inbound message. */
  open(token: string, msgId: string, conversationId: string, expiredTime: number): void {
    this.sessions.set(token, { msgId, conversationId, expiredTime, expired: false })
  }

  /** Make every session of that message answer 300001 from now on. */
  expire(msgId: string): void {
    for (const s of this.sessions.values()) if (s.msgId === msgId) s.expired = true
  }

  /** `POST /robot/sendBySession?session=…`; always HTTP 200 with an errcode, like the real one. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, WEBHOOK_MAX_BYTES)
    const token = new URL(req.url ?? '/', 'http://sim').searchParams.get('session') ?? ''
    const s = this.sessions.get(token)
    if (!s || s.expired || this.now() > s.expiredTime) {
      sendJson(res, 200, { errcode: 300001, errmsg: 'session 不存在' })
      return
    }
    const status = this.fault?.(s.msgId)
    // 0: hold the request unanswered, as a stuck edge does; the client's own timeout (or death) ends it.
    if (status === 0) return
    if (status !== undefined) {
      sendJson(res, status, { errcode: status >= 500 ? -1 : status, errmsg: `simulated failure (HTTP ${status})` })
      return
    }
    if (body.tooLarge) {
      sendJson(res, 200, {
        errcode: 460101,
        errmsg: `消息内容超长 (message too long: ${body.size} > ${WEBHOOK_MAX_BYTES} bytes)`,
      })
      return
    }
    const json = parseJson(body.text)
    const parsed = json === undefined ? '缺少参数 json' : parseReply(json)
    if (typeof parsed === 'string') {
      sendJson(res, 200, { errcode: 40035, errmsg: parsed })
      return
    }
    this.log.record({ kind: 'webhook', msgId: s.msgId, conversationId: s.conversationId, ...parsed, body: json })
    sendJson(res, 200, { errcode: 0, errmsg: 'ok' })
  }
}
