import type { Logger } from 'pino'

/** A reply body: plain text, or DingTalk markdown with a title (shown in notifications). */
export type ReplyContent = string | { markdown: string; title: string }

export interface OpenApiOptions {
  apiBase: string
  appKey: string
  appSecret: string
  robotCode: string
  log: Logger
  /** Called with every access token obtained, so the logger can scrub it. */
  onToken?: (token: string) => void
  now?: () => number
  timeoutMs?: number
}

/** Proactive messages through the DingTalk OpenAPI, with a cached access token refreshed early. */
export class OpenApiClient {
  private token?: { value: string; expiresAt: number }
  private pending?: Promise<string>

  constructor(private readonly opts: OpenApiOptions) {}

  /** A valid access token; concurrent callers share one request. */
  async accessToken(): Promise<string> {
    const now = (this.opts.now ?? Date.now)()
    if (this.token && now < this.token.expiresAt) return this.token.value
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined
    })
    return this.pending
  }

  /** Sends to a group conversation (openConversationId). */
  async sendToGroup(openConversationId: string, content: ReplyContent): Promise<void> {
    await this.post('/v1.0/robot/groupMessages/send', { openConversationId, ...toMsgParam(content) })
  }

  /** Sends one-to-one to up to 20 users by staffId. */
  async sendToUsers(userIds: string[], content: ReplyContent): Promise<void> {
    await this.post('/v1.0/robot/oToMessages/batchSend', { userIds: userIds.slice(0, 20), ...toMsgParam(content) })
  }

  private async fetchToken(): Promise<string> {
    const res = await fetch(new URL('/v1.0/oauth2/accessToken', this.opts.apiBase), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ appKey: this.opts.appKey, appSecret: this.opts.appSecret }),
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
    })
    const body = (await res.json().catch(() => ({}))) as { accessToken?: unknown; expireIn?: unknown; code?: unknown }
    if (!res.ok || typeof body.accessToken !== 'string') {
      throw new Error(
        `access token refused (HTTP ${res.status} ${String(body.code ?? '')}): check DINGTALK_CLIENT_ID / DINGTALK_CLIENT_SECRET`,
      )
    }
    this.opts.onToken?.(body.accessToken)
    const ttlMs = (typeof body.expireIn === 'number' ? body.expireIn : 7200) * 1000
    // Refresh five minutes early so a token never expires mid-request.
    this.token = {
      value: body.accessToken,
      expiresAt: (this.opts.now ?? Date.now)() + Math.max(ttlMs - 300_000, 60_000),
    }
    return body.accessToken
  }

  private async post(path: string, body: Record<string, unknown>): Promise<void> {
    const token = await this.accessToken()
    const res = await fetch(new URL(path, this.opts.apiBase), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'x-acs-dingtalk-access-token': token },
      body: JSON.stringify({ robotCode: this.opts.robotCode, ...body }),
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
    })
    if (res.status === 401) this.token = undefined
    if (!res.ok) {
      const err = (await res.json().catch(() => ({}))) as { code?: unknown; message?: unknown }
      throw new Error(
        `OpenAPI ${path} failed: HTTP ${res.status} ${String(err.code ?? '')} ${String(err.message ?? '')}`.trim(),
      )
    }
  }
}

function toMsgParam(content: ReplyContent): { msgKey: string; msgParam: string } {
  return typeof content === 'string'
    ? { msgKey: 'sampleText', msgParam: JSON.stringify({ content }) }
    : { msgKey: 'sampleMarkdown', msgParam: JSON.stringify({ title: content.title, text: content.markdown }) }
}
