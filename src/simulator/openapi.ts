import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { z } from 'zod'
import { readBody, sendApiError, sendJson } from './http-util.js'
import { parseJson } from '../json.js'
import { sameSecret } from '../constant-time.js'
import type { NewReply, ReplyLog } from './replies.js'
import type { SimFiles } from './files.js'
import type { SimStats } from './types.js'

// The simulator's OpenAPI subset: access tokens, group and one-to-one sends, message-file downloads.

/** `msgParam` limit of the proactive-send APIs (DINGTALK.md §5). */
const MSG_PARAM_MAX_BYTES = 15_000
const TOKEN_TTL_S = 7200

const tokenBody = z.object({ appKey: z.string(), appSecret: z.string() })
const sendFields = { robotCode: z.string(), msgKey: z.string(), msgParam: z.string() }
const groupBody = z.object({ ...sendFields, openConversationId: z.string().min(1) })
const otoBody = z.object({ ...sendFields, userIds: z.array(z.string().min(1)).min(1).max(20) })
const downloadBody = z.object({ robotCode: z.string(), downloadCode: z.string().min(1) })

const msgParams = {
  sampleText: z.object({ content: z.string() }),
  sampleMarkdown: z.object({ title: z.string(), text: z.string() }),
  sampleActionCard: z.object({ title: z.string(), text: z.string(), singleTitle: z.string(), singleURL: z.string() }),
} as const

type Content = Pick<NewReply, 'msgtype' | 'text' | 'title'>

/** Credentials and clock of the fake OpenAPI. */
export interface OpenApiConfig {
  clientId: string
  clientSecret: string
  robotCode: string
  now: () => number
  stats: SimStats
  files: SimFiles
  /** Where download URLs point (the simulator's base URL). */
  baseUrl: () => string
}

/**
 * The OpenAPI subset the router uses: access tokens, group and one-to-one sends, message-file downloads
 * (DINGTALK.md §5). Like DingTalk it hands out one token per validity period, answers a bad token with
 * 400 InvalidAuthentication, and can flow-control or refuse one-to-one recipients.
 * @example
 * routes.set('POST /v1.0/robot/groupMessages/send', (req, res) => openApi.handleGroup(req, res))
 */
export class OpenApi {
  private readonly tokens = new Map<string, number>()
  private current?: string
  /** staffId → how many more sends to it are flow-controlled. */
  private readonly flowControl = new Map<string, number>()
  private readonly invalidStaffIds = new Set<string>()

  constructor(
    private readonly cfg: OpenApiConfig,
    private readonly log: ReplyLog,
  ) {}

  /** Every token issued so far stops working (as when the app secret is reset). */
  revokeTokens(): void {
    this.tokens.clear()
    this.current = undefined
  }

  /** The next `times` one-to-one sends to `staffId` come back in flowControlledStaffIdList. */
  flowControlNext(staffId: string, times: number): void {
    this.flowControl.set(staffId, times)
  }

  /** One-to-one sends to these staffIds come back in invalidStaffIdList. */
  setInvalidStaffIds(staffIds: string[]): void {
    this.invalidStaffIds.clear()
    for (const id of staffIds) this.invalidStaffIds.add(id)
  }

  /** `POST /v1.0/oauth2/accessToken`: the current token while it is valid, with its remaining lifetime. */
  async handleToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = tokenBody.safeParse(parseJson((await readBody(req, 64_000)).text))
    if (!body.success) return sendApiError(res, 400, 'invalidParameter', 'appKey and appSecret are required')
    if (body.data.appKey !== this.cfg.clientId || !sameSecret(body.data.appSecret, this.cfg.clientSecret)) {
      return sendApiError(res, 401, 'invalidClientIdOrSecret', '无效的clientId或者clientSecret')
    }
    const now = this.cfg.now()
    const expiresAt = this.current ? this.tokens.get(this.current) : undefined
    if (this.current && expiresAt !== undefined && now < expiresAt) {
      return sendJson(res, 200, { accessToken: this.current, expireIn: Math.floor((expiresAt - now) / 1000) })
    }
    const accessToken = 'sim-at-' + randomBytes(16).toString('hex')
    this.tokens.set(accessToken, now + TOKEN_TTL_S * 1000)
    this.current = accessToken
    this.cfg.stats.tokensIssued++
    sendJson(res, 200, { accessToken, expireIn: TOKEN_TTL_S })
  }

  /** `POST /v1.0/robot/messageFiles/download`: a short-lived downloadUrl for a downloadCode of this robot. */
  async handleDownload(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = parseJson((await readBody(req)).text)
    if (!this.tokenValid(req, res)) return
    const body = downloadBody.safeParse(raw)
    if (!body.success) return sendApiError(res, 400, 'invalidParameter', z.prettifyError(body.error))
    if (body.data.robotCode !== this.cfg.robotCode)
      return sendApiError(res, 400, 'invalidParameter', `robotCode ${body.data.robotCode} 不存在`)
    if (!this.cfg.files.has(body.data.downloadCode))
      return sendApiError(res, 400, 'invalidParameter', 'downloadCode 无效或已过期')
    const key = this.cfg.files.issue(body.data.downloadCode)
    sendJson(res, 200, { downloadUrl: `${this.cfg.baseUrl()}/sim/files?key=${key}` })
  }

  /** True when the request carries an access token this API issued and that has not expired. */
  authorized(req: IncomingMessage): boolean {
    const token = req.headers['x-acs-dingtalk-access-token']
    const expiresAt = typeof token === 'string' ? this.tokens.get(token) : undefined
    return expiresAt !== undefined && this.cfg.now() <= expiresAt
  }

  /** `POST /v1.0/robot/groupMessages/send` */
  async handleGroup(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.checked(req, res, groupBody)
    if (!body) return
    this.log.record({ kind: 'group', conversationId: body.data.openConversationId, ...body.content, body: body.raw })
    sendJson(res, 200, { processQueryKey: processQueryKey() })
  }

  /** `POST /v1.0/robot/oToMessages/batchSend` */
  async handleOto(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.checked(req, res, otoBody)
    if (!body) return
    const invalidStaffIdList = body.data.userIds.filter((id) => this.invalidStaffIds.has(id))
    const flowControlledStaffIdList = body.data.userIds.filter(
      (id) => !this.invalidStaffIds.has(id) && this.throttled(id),
    )
    const delivered = body.data.userIds.filter(
      (id) => !invalidStaffIdList.includes(id) && !flowControlledStaffIdList.includes(id),
    )
    // Still HTTP 200: only the lists tell who got nothing.
    if (delivered.length > 0) this.log.record({ kind: 'oto', userIds: delivered, ...body.content, body: body.raw })
    sendJson(res, 200, { processQueryKey: processQueryKey(), invalidStaffIdList, flowControlledStaffIdList })
  }

  private throttled(staffId: string): boolean {
    const left = this.flowControl.get(staffId) ?? 0
    if (left <= 0) return false
    this.flowControl.set(staffId, left - 1)
    return true
  }

  /** DingTalk answers an unknown or expired token with 400 InvalidAuthentication. */
  private tokenValid(req: IncomingMessage, res: ServerResponse): boolean {
    const token = req.headers['x-acs-dingtalk-access-token']
    const expiresAt = typeof token === 'string' ? this.tokens.get(token) : undefined
    if (expiresAt !== undefined && this.cfg.now() <= expiresAt) return true
    this.cfg.stats.tokensRejected++
    sendApiError(res, 400, 'InvalidAuthentication', '不合法的access_token')
    return false
  }

  /** Token, body shape, robotCode and msgParam checks shared by both sends; answers the error itself. */
  private async checked<T extends typeof groupBody | typeof otoBody>(
    req: IncomingMessage,
    res: ServerResponse,
    schema: T,
  ): Promise<{ data: z.infer<T>; content: Content; raw: unknown } | undefined> {
    const raw = parseJson((await readBody(req)).text)
    if (!this.tokenValid(req, res)) return undefined
    const parsed = schema.safeParse(raw)
    if (!parsed.success) {
      sendApiError(res, 400, 'invalidParameter', z.prettifyError(parsed.error))
      return undefined
    }
    const data = parsed.data as z.infer<T>
    const fail = (message: string): undefined => {
      sendApiError(res, 400, 'invalidParameter', message)
      return undefined
    }
    if (data.robotCode !== this.cfg.robotCode) return fail(`robotCode ${data.robotCode} 不存在`)
    if (Buffer.byteLength(data.msgParam) > MSG_PARAM_MAX_BYTES)
      return fail(`msgParam exceeds ${MSG_PARAM_MAX_BYTES} bytes`)
    const content = parseMsgParam(data.msgKey, data.msgParam)
    if (typeof content === 'string') return fail(content)
    return { data, content, raw }
  }
}

function parseMsgParam(msgKey: string, msgParam: string): Content | string {
  if (!Object.hasOwn(msgParams, msgKey)) return `unsupported msgKey ${msgKey}`
  const p = msgParams[msgKey as keyof typeof msgParams].safeParse(parseJson(msgParam))
  if (!p.success) return `msgParam does not fit ${msgKey}: ${z.prettifyError(p.error)}`
  const v = p.data
  return 'content' in v ? { msgtype: msgKey, text: v.content } : { msgtype: msgKey, text: v.text, title: v.title }
}

function processQueryKey(): string {
  return randomBytes(24).toString('base64')
}
