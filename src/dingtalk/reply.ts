import { ExponentialBackoff, handleWhenResult, retry, type RetryPolicy } from 'cockatiel'
import type { Logger } from 'pino'
import { errorMessage } from '../errors.js'
import { redactUrl } from '../logger.js'
import type { InboundMessage } from './message.js'
import type { OpenApiClient } from './openapi.js'
import type { ReplyContent } from './message-content.js'
import { sendToUsersReliably } from './proactive.js'
import { postJson } from './webhook-post.js'

// Sends replies: through the message's allowlisted sessionWebhook, chunked and retried, else proactively.

/** About what other DingTalk bots use; the webhook rejects bodies over ~20,000 bytes. */
export const CHUNK_CHARS = 3800
const SESSION_EXPIRED = 300001
/** DingTalk's "system busy" and "sending too fast" answers: worth another try after a pause. */
const FLOW_CONTROL = new Set([-1, 130101, 130102])
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

/** `rejected`: the webhook refused this content for good (too long, malformed); retrying cannot help. */
export type ReplyOutcome = 'sent' | 'sent-proactively' | 'refused-host' | 'rejected' | 'failed'

/** One webhook POST: delivered, session expired, worth a retry (timeout, reset, 5xx, flow control), or refused. */
type PostResult = 'ok' | 'expired' | 'retryable' | 'rejected'

/** Why a reply did not reach the user, for the error events (`code`) and the log (`message`). */
export interface UndeliveredReply {
  code: 'webhook-refused' | 'reply-failed' | 'reply-rejected' | 'recipient-invalid' | 'flow-controlled'
  message: string
}

/** One reply that did not reach its user: the message it answered, its route (when given) and why. */
export interface UndeliveredReport {
  msg: InboundMessage
  route: string | undefined
  problem: UndeliveredReply
}

export interface ReplyOptions {
  /** staffIds to @-mention besides the sender (groups only). */
  mention?: readonly string[]
  /** The route (skill or `/command`) this reply answers: an undelivered reply is recorded under it. */
  route?: string
}

export interface ReplySenderOptions {
  webhookHosts: string[]
  openapi?: OpenApiClient
  log: Logger
  timeoutMs?: number
  /** Delays before sending again to flow-controlled recipients of a proactive send. */
  flowControlRetryMs?: readonly number[]
  /** Webhook POSTs per chunk before the proactive send (default 5), first retry after `retryDelayMs` (default 200). */
  attempts?: number
  retryDelayMs?: number
  /** Called for every retried POST (the retry counter). */
  onRetry?: () => void
  /**
   * Called once for each reply that did not reach its user, after it was logged; app.ts records it as an
   * error event and counts a give-up. A throwing hook is logged, never the sender's failure.
   */
  onUndelivered?: (report: UndeliveredReport) => void
  now?: () => number
}

const STAFF_ID = /^[\w.-]{1,64}$/

/** Replies through the message's sessionWebhook, only to allowlisted hosts, falling back to a proactive send. */
export class ReplySender {
  private readonly hosts: Set<string>

  private readonly retryPolicy: RetryPolicy

  constructor(private readonly opts: ReplySenderOptions) {
    this.hosts = new Set(opts.webhookHosts.map((h) => h.toLowerCase()))
    this.retryPolicy = retry(
      handleWhenResult((r) => r === 'retryable'),
      {
        maxAttempts: (opts.attempts ?? 5) - 1,
        backoff: new ExponentialBackoff({ initialDelay: opts.retryDelayMs ?? 200, maxDelay: 5000 }),
      },
    )
    if (opts.onRetry) this.retryPolicy.onRetry(opts.onRetry)
  }

  /** True when the webhook URL points at an allowlisted host (HTTPS, or plain HTTP to an allowlisted loopback host:port). */
  webhookAllowed(url: string): boolean {
    return this.allowedTarget(url) !== undefined
  }

  /** The parsed webhook URL when {@link webhookAllowed} holds for it, else undefined. */
  private allowedTarget(url: string): URL | undefined {
    let u: URL
    try {
      u = new URL(url)
    } catch {
      return undefined
    }
    const hostPort = u.host.toLowerCase()
    const allowed = this.hosts.has(hostPort) || (u.port === '' && this.hosts.has(u.hostname.toLowerCase()))
    if (!allowed || u.username || u.password) return undefined
    const ok =
      u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.has(u.hostname) && this.hosts.has(hostPort))
    return ok ? u : undefined
  }

  /**
   * Replies to `msg`. In a group the reply @-mentions the sender (and `options.mention`), on its first chunk.
   * Failures are reported through {@link undelivered}, never thrown.
   */
  async send(msg: InboundMessage, content: ReplyContent, options: ReplyOptions = {}): Promise<ReplyOutcome> {
    const log = this.opts.log
    const target = this.allowedTarget(msg.sessionWebhook)
    if (!target) {
      log.warn(
        { webhook: redactUrl(msg.sessionWebhook).slice(0, 200), msgId: msg.msgId },
        'refused to reply: sessionWebhook host is not in DINGTALK_WEBHOOK_HOSTS',
      )
      this.undelivered(msg, options.route, {
        code: 'webhook-refused',
        message: `sessionWebhook host ${webhookHost(msg.sessionWebhook)} is not in DINGTALK_WEBHOOK_HOSTS`,
      })
      return 'refused-host'
    }
    const chunks = splitContent(content)
    const mention = mentionsFor(msg, options.mention)
    for (let i = 0; i < chunks.length; i++) {
      const result = await this.postWithRetry(msg, target, chunks[i]!, i === 0 ? mention : [])
      if (result === 'ok') continue
      if (result === 'rejected') {
        this.undelivered(msg, options.route, {
          code: 'reply-rejected',
          message: 'reply refused by the sessionWebhook (content not accepted)',
        })
        return 'rejected'
      }
      // Expired, or still failing after the retries: the OpenAPI reaches the same conversation.
      if (this.opts.openapi) return this.sendProactively(msg, chunks.slice(i), options.route)
      this.undelivered(msg, options.route, {
        code: 'reply-failed',
        message: 'reply not delivered (sessionWebhook failed)',
      })
      return 'failed'
    }
    return 'sent'
  }

  /** POSTs one chunk, retrying with backoff while the failure is retryable and the session webhook still valid. */
  private async postWithRetry(
    msg: InboundMessage,
    target: URL,
    content: ReplyContent,
    mention: readonly string[],
  ): Promise<PostResult> {
    const now = this.opts.now ?? Date.now
    // The first attempt always goes: the webhook itself says when its session expired (300001), and a host
    // clock behind or ahead of DingTalk's must not turn every reply into a proactive send. It goes outside
    // the retry policy, which only a failed one pays for (the policy's attempt 0 is that failure, so its
    // backoff, attempt count and retry counter are what they were): nearly every reply is one POST.
    const first = await this.postWebhook(target, content, mention)
    if (first !== 'retryable') return first
    return this.retryPolicy.execute(({ attempt }) => {
      if (attempt === 0) return first
      return now() >= msg.sessionWebhookExpiresAt ? 'expired' : this.postWebhook(target, content, mention)
    })
  }

  /** Called once for each reply that did not reach its user (answering `route`); the hook records it. */
  private undelivered(msg: InboundMessage, route: string | undefined, problem: UndeliveredReply): void {
    this.opts.log.warn({ msgId: msg.msgId, code: problem.code }, problem.message)
    try {
      this.opts.onUndelivered?.({ msg, route, problem })
    } catch (err) {
      // Recording is best effort: the failure is logged above, and a hook must not break the reply path.
      this.opts.log.warn({ err: errorMessage(err) }, 'could not record an undelivered reply')
    }
  }

  private async sendProactively(
    msg: InboundMessage,
    chunks: ReplyContent[],
    route: string | undefined,
  ): Promise<ReplyOutcome> {
    const api = this.opts.openapi!
    const failed = (problem: UndeliveredReply): ReplyOutcome => (this.undelivered(msg, route, problem), 'failed')
    try {
      for (const chunk of chunks) {
        if (msg.conversationType === 'group') {
          await api.sendToGroup(msg.conversationId, chunk)
          continue
        }
        if (!msg.senderStaffId)
          return failed({ code: 'reply-failed', message: 'session expired and the sender has no staffId to send to' })
        const r = await sendToUsersReliably(api, [msg.senderStaffId], chunk, this.opts.flowControlRetryMs)
        if (r.invalid.length > 0)
          return failed({
            code: 'recipient-invalid',
            message: `DingTalk refused staffId ${r.invalid.join(', ').slice(0, 80)} as invalid (processQueryKey ${r.processQueryKey ?? 'none'})`,
          })
        if (r.flowControlled.length > 0)
          return failed({
            code: 'flow-controlled',
            message: `DingTalk flow-controlled the reply after ${r.attempts} attempts (processQueryKey ${r.processQueryKey ?? 'none'})`,
          })
      }
      return 'sent-proactively'
    } catch (err) {
      this.opts.log.error({ err: (err as Error).message, msgId: msg.msgId }, 'proactive send failed')
      return failed({ code: 'reply-failed', message: 'reply not delivered (webhook and proactive send failed)' })
    }
  }

  private async postWebhook(url: URL, content: ReplyContent, mention: readonly string[]): Promise<PostResult> {
    // DingTalk highlights and notifies an @-mention only when the text also carries `@staffId`.
    const tag = mention.length > 0 ? mention.map((id) => `@${id}`).join(' ') : ''
    const at = mention.length > 0 ? { at: { atUserIds: [...mention] } } : {}
    const body =
      typeof content === 'string'
        ? { msgtype: 'text', text: { content: tag ? `${content}\n${tag}` : content }, ...at }
        : {
            msgtype: 'markdown',
            markdown: { title: content.title, text: tag ? `${content.markdown}\n\n${tag}` : content.markdown },
            ...at,
          }
    try {
      // node:http(s) with keep-alive, not fetch: this POST is the per-message hot path (see webhook-post.ts).
      const res = await postJson(url, body, this.opts.timeoutMs ?? 5000)
      const json = (typeof res.json === 'object' && res.json !== null ? res.json : {}) as {
        errcode?: unknown
        errmsg?: unknown
      }
      if (res.status >= 200 && res.status < 300 && json.errcode === 0) return 'ok'
      if (json.errcode === SESSION_EXPIRED) return 'expired'
      const retryable = res.status >= 500 || res.status === 429 || FLOW_CONTROL.has(json.errcode as number)
      // A retry is counted (router_reply_retries_total); only a reply given up on is an error.
      this.opts.log[retryable ? 'debug' : 'error'](
        { status: res.status, errcode: json.errcode, errmsg: String(json.errmsg ?? '').slice(0, 200) },
        retryable ? 'sessionWebhook reply failed; retrying' : 'sessionWebhook reply rejected',
      )
      return retryable ? 'retryable' : 'rejected'
    } catch (err) {
      // Timeout, reset, refused connection: the reply may not have arrived; another try is the way to know.
      this.opts.log.debug({ err: (err as Error).message }, 'sessionWebhook reply failed; retrying')
      return 'retryable'
    }
  }
}

/** Whom a reply @-mentions: in a group, the sender and the extra staffIds; in one-to-one chats, nobody. */
function mentionsFor(msg: InboundMessage, extra: readonly string[] = []): string[] {
  if (msg.conversationType !== 'group') return []
  const ids = [...(msg.senderStaffId ? [msg.senderStaffId] : []), ...extra]
  return [...new Set(ids.filter((id) => STAFF_ID.test(id)))]
}

// Host and port only: the rest of a session webhook URL carries its session token.
function webhookHost(url: string): string {
  try {
    return new URL(url).host.slice(0, 100) || 'unknown'
  } catch {
    return 'unparsable URL'
  }
}

/** Splits long content at line breaks into chunks the webhook accepts, keeping markdown titles. */
export function splitContent(content: ReplyContent, limit = CHUNK_CHARS): ReplyContent[] {
  const text = typeof content === 'string' ? content : content.markdown
  if (text.length <= limit) return [content]
  const parts: string[] = []
  let rest = text
  while (rest.length > limit) {
    const cut = rest.lastIndexOf('\n', limit)
    let at = cut > limit / 2 ? cut : limit
    // A hard cut must not fall between the two halves of a surrogate pair (an emoji): both chunks would carry a broken character.
    if (at === limit && isHighSurrogate(rest.charCodeAt(at - 1)) && isLowSurrogate(rest.charCodeAt(at))) at--
    parts.push(rest.slice(0, at))
    rest = rest.slice(at).replace(/^\n/, '')
  }
  if (rest) parts.push(rest)
  return typeof content === 'string' ? parts : parts.map((markdown) => ({ markdown, title: content.title }))
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff
}
