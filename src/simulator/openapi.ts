import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { z } from 'zod'
import { parseJson, readBody, sendApiError, sendJson } from './http-util.js'
import type { NewReply, ReplyLog } from './replies.js'

/** `msgParam` limit of the proactive-send APIs (DINGTALK.md §5). */
const MSG_PARAM_MAX_BYTES = 15_000
const TOKEN_TTL_S = 7200

const tokenBody = z.object({ appKey: z.string(), appSecret: z.string() })
const sendFields = { robotCode: z.string(), msgKey: z.string(), msgParam: z.string() }
const groupBody = z.object({ ...sendFields, openConversationId: z.string().min(1) })
const otoBody = z.object({ ...sendFields, userIds: z.array(z.string().min(1)).min(1).max(20) })

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
}

/**
 * The OpenAPI subset the router uses: access tokens, group sends and one-to-one sends (DINGTALK.md §5).
 * @example
 * routes.set('POST /v1.0/robot/groupMessages/send', (req, res) => openApi.handleGroup(req, res))
 */
export class OpenApi {
  private readonly tokens = new Map<string, number>()

  constructor(
    private readonly cfg: OpenApiConfig,
    private readonly log: ReplyLog,
  ) {}

  /** `POST /v1.0/oauth2/accessToken` */
  async handleToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = tokenBody.safeParse(parseJson((await readBody(req, 64_000)).text))
    if (!body.success) return sendApiError(res, 400, 'invalidParameter', 'appKey and appSecret are required')
    if (body.data.appKey !== this.cfg.clientId || body.data.appSecret !== this.cfg.clientSecret) {
      return sendApiError(res, 401, 'invalidClientIdOrSecret', '无效的clientId或者clientSecret')
    }
    const accessToken = 'sim-at-' + randomBytes(16).toString('hex')
    this.tokens.set(accessToken, this.cfg.now() + TOKEN_TTL_S * 1000)
    sendJson(res, 200, { accessToken, expireIn: TOKEN_TTL_S })
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
    this.log.record({ kind: 'oto', userIds: body.data.userIds, ...body.content, body: body.raw })
    sendJson(res, 200, { processQueryKey: processQueryKey(), invalidStaffIdList: [], flowControlledStaffIdList: [] })
  }

  /** Token, body shape, robotCode and msgParam checks shared by both sends; answers the error itself. */
  private async checked<T extends typeof groupBody | typeof otoBody>(
    req: IncomingMessage,
    res: ServerResponse,
    schema: T,
  ): Promise<{ data: z.infer<T>; content: Content; raw: unknown } | undefined> {
    const raw = parseJson((await readBody(req)).text)
    const token = req.headers['x-acs-dingtalk-access-token']
    const expiresAt = typeof token === 'string' ? this.tokens.get(token) : undefined
    if (expiresAt === undefined || this.cfg.now() > expiresAt) {
      sendApiError(res, 401, 'InvalidAuthentication', '不合法的access_token')
      return undefined
    }
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
