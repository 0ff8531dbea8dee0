/** Where the token comes from and how long a fetched one is trusted. */
export interface AccessTokenOptions {
  apiBase: string
  appKey: string
  appSecret: string
  /** Called with every access token obtained, so the logger can scrub it. */
  onToken?: (token: string) => void
  now?: () => number
  timeoutMs?: number
}

/** Stop using a token this long before DingTalk says it expires, so it never expires mid-request. */
const REFRESH_EARLY_MS = 300_000

/**
 * The app's OpenAPI access token: fetched once per validity period, shared by concurrent callers, reused
 * until shortly before it expires, and dropped when the API says it is no longer valid.
 * @example const token = await tokens.get(); … if (rejected) tokens.invalidate(token)
 */
export class AccessTokenCache {
  private token?: { value: string; expiresAt: number }
  private pending?: Promise<string>
  /** Tokens fetched so far (for /status-style counters and tests). */
  fetched = 0

  constructor(private readonly opts: AccessTokenOptions) {}

  /** A valid access token; concurrent callers share one request. */
  async get(): Promise<string> {
    if (this.token && this.now() < this.token.expiresAt) return this.token.value
    this.pending ??= this.fetch().finally(() => {
      this.pending = undefined
    })
    return this.pending
  }

  /** Forgets `token` if it is still the cached one (a newer token fetched meanwhile is kept). */
  invalidate(token: string): void {
    if (this.token?.value === token) this.token = undefined
  }

  private now(): number {
    return (this.opts.now ?? Date.now)()
  }

  private async fetch(): Promise<string> {
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
    this.fetched++
    this.opts.onToken?.(body.accessToken)
    const ttlMs = (typeof body.expireIn === 'number' ? body.expireIn : 7200) * 1000
    // A short remaining validity (DingTalk hands out the current token until it expires) is used for half of it.
    const trustMs = ttlMs > 2 * REFRESH_EARLY_MS ? ttlMs - REFRESH_EARLY_MS : ttlMs / 2
    this.token = { value: body.accessToken, expiresAt: this.now() + trustMs }
    return body.accessToken
  }
}
