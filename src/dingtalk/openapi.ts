import type { Logger } from 'pino'
import { AccessTokenCache } from './access-token.js'
import type { ReplyContent } from './message-content.js'

// The DingTalk OpenAPI client: proactive group and one-to-one messages, and message files.

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

/**
 * What DingTalk did with a one-to-one batch send. A 200 is not delivery: `invalid` staffIds got nothing
 * (not in the org, or not reachable by this robot), `flowControlled` ones were held back by rate limits.
 */
export interface BatchSendReport {
  processQueryKey?: string
  delivered: string[]
  invalid: string[]
  flowControlled: string[]
}

/** An OpenAPI call that failed: HTTP status and DingTalk's error code, when it sent one. */
class OpenApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message)
    this.name = 'OpenApiError'
  }
}

/** Proactive messages and message files through the DingTalk OpenAPI, with a shared access token. */
export class OpenApiClient {
  readonly tokens: AccessTokenCache

  constructor(private readonly opts: OpenApiOptions) {
    this.tokens = new AccessTokenCache(opts)
  }

  /** Sends to a group conversation (openConversationId); resolves with DingTalk's processQueryKey. */
  async sendToGroup(openConversationId: string, content: ReplyContent): Promise<{ processQueryKey?: string }> {
    const body = await this.post('/v1.0/robot/groupMessages/send', { openConversationId, ...toMsgParam(content) })
    const processQueryKey = stringOr(body.processQueryKey)
    this.opts.log.debug({ processQueryKey }, 'group message sent')
    return { processQueryKey }
  }

  /** Sends one-to-one to up to 20 users by staffId, and reports who did not get it. */
  async sendToUsers(userIds: string[], content: ReplyContent): Promise<BatchSendReport> {
    const ids = userIds.slice(0, 20)
    const body = await this.post('/v1.0/robot/oToMessages/batchSend', { userIds: ids, ...toMsgParam(content) })
    const invalid = stringList(body.invalidStaffIdList)
    const flowControlled = stringList(body.flowControlledStaffIdList)
    const report: BatchSendReport = {
      processQueryKey: stringOr(body.processQueryKey),
      delivered: ids.filter((id) => !invalid.includes(id) && !flowControlled.includes(id)),
      invalid,
      flowControlled,
    }
    this.opts.log.debug({ ...report }, 'one-to-one message sent')
    return report
  }

  /**
   * The short-lived download URL of a file a user sent the robot (its downloadCode, from this robot's
   * messages only): `POST /v1.0/robot/messageFiles/download`.
   */
  async messageFileUrl(downloadCode: string): Promise<string> {
    const body = await this.post('/v1.0/robot/messageFiles/download', { downloadCode })
    const url = stringOr(body.downloadUrl)
    if (!url) throw new OpenApiError('messageFiles/download answered without a downloadUrl', 200)
    return url
  }

  /** POSTs with the access token; a token DingTalk calls invalid is dropped and the call made once more. */
  private async post(path: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    for (let attempt = 1; ; attempt++) {
      const token = await this.tokens.get()
      const res = await fetch(new URL(path, this.opts.apiBase), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'x-acs-dingtalk-access-token': token },
        body: JSON.stringify({ robotCode: this.opts.robotCode, ...body }),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
      })
      const json = (await res.json().catch(() => ({}))) as Record<string, unknown>
      if (res.ok) return json
      const code = stringOr(json.code)
      // A revoked or expired token comes back as 401, or as 400 with code InvalidAuthentication.
      if (res.status === 401 || (res.status === 400 && code === 'InvalidAuthentication')) {
        this.tokens.invalidate(token)
        if (attempt === 1) continue
      }
      throw new OpenApiError(
        `OpenAPI ${path} failed: HTTP ${res.status} ${code ?? ''} ${String(json.message ?? '').slice(0, 200)}`.trim(),
        res.status,
        code,
      )
    }
  }
}

function toMsgParam(content: ReplyContent): { msgKey: string; msgParam: string } {
  return typeof content === 'string'
    ? { msgKey: 'sampleText', msgParam: JSON.stringify({ content }) }
    : { msgKey: 'sampleMarkdown', msgParam: JSON.stringify({ title: content.title, text: content.markdown }) }
}

function stringOr(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
}
