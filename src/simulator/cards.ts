import type { IncomingMessage, ServerResponse } from 'node:http'
import { z } from 'zod'
import type { SimCardTemplate } from './card-templates.js'
import { isRecord, readBody, sendApiError, sendJson } from './http-util.js'
import { SIM_CORP_ID } from './payload.js'
import { parseJson } from '../json.js'

// The simulator's card API, with the checks DingTalk makes on every create, update and stream.

/** The card-callback topic (the SDK's TOPIC_CARD). */
export const CARD_TOPIC = '/v1.0/card/instances/callback'

/** A delivered card and everything done to it, as tests and the chat page see it. */
export interface SimCard {
  outTrackId: string
  templateId: string
  kind: SimCardTemplate['kind']
  conversationId?: string
  staffId?: string
  callback: boolean
  /** staffIds the delivery @-mentioned (group cards). */
  atUserIds: string[]
  params: Record<string, string>
  /** Streaming updates received, in order (the final one has isFinalize). */
  streaming: { key: string; content: string; isFinalize: boolean; isError: boolean }[]
  finalized: boolean
  /** Buttons the card shows right now. */
  buttons: { actionId: string; label: string }[]
}

/** A button press: who presses (staffId, and corp unless the simulator's own), which button of which card. */
export interface CardPress {
  outTrackId: string
  staffId: string
  actionId: string
  params?: Record<string, unknown>
  corpId?: string | null
}

/** What changed on a card: `'card'` events and transcript entries carry it with the card's whole state. */
export type CardChange = 'created' | 'updated' | 'streaming' | 'callback-answer'

export interface SimCardDeps {
  templates: SimCardTemplate[]
  robotCode: string
  /** True when the request carries a valid access token. */
  authorized(req: IncomingMessage): boolean
  onChange(card: SimCard, change: CardChange): void
}

const params = z.record(z.string(), z.string())
const createBody = z.object({
  cardTemplateId: z.string().min(1),
  outTrackId: z.string().min(1).max(128),
  cardData: z.object({ cardParamMap: params }),
  callbackType: z.enum(['STREAM', 'HTTP']).optional(),
  openSpaceId: z
    .string()
    .regex(/^dtv1\.card\/\/(IM_GROUP|IM_ROBOT)\.[^;]+$/, 'openSpaceId dtv1.card//IM_GROUP.<cid> or IM_ROBOT.<userId>'),
  imGroupOpenDeliverModel: z
    .object({ robotCode: z.string(), atUserIds: z.record(z.string(), z.string()).optional() })
    .optional(),
  imRobotOpenDeliverModel: z.object({ spaceType: z.literal('IM_ROBOT'), robotCode: z.string().optional() }).optional(),
})
const updateBody = z.object({ outTrackId: z.string().min(1), cardData: z.object({ cardParamMap: params }) })
const streamingBody = z.object({
  outTrackId: z.string().min(1),
  guid: z.string().min(1),
  key: z.string().min(1),
  content: z.string(),
  isFull: z.boolean(),
  isFinalize: z.boolean(),
  isError: z.boolean().optional(),
})

/**
 * DingTalk's card API as the router uses it, with the checks DingTalk makes: the access token, a known
 * template, a unique outTrackId on create and a known one on update, the robotCode, the streaming key.
 * @example routes['POST /v1.0/card/instances/createAndDeliver'] = (req, res) => cards.handleCreate(req, res)
 */
export class SimCards {
  readonly cards = new Map<string, SimCard>()

  constructor(private readonly deps: SimCardDeps) {}

  /** `POST /v1.0/card/instances/createAndDeliver` */
  async handleCreate(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.read(req, res, createBody)
    if (!body) return
    const template = this.deps.templates.find((t) => t.id === body.cardTemplateId)
    if (!template)
      return sendApiError(res, 400, 'param.cardTemplateIdInvalid', `卡片模板不存在: ${body.cardTemplateId}`)
    if (this.cards.has(body.outTrackId)) return sendApiError(res, 400, 'param.outTrackIdDuplicate', 'outTrackId 已存在')
    const [, spaceType, spaceId] = /^dtv1\.card\/\/(IM_GROUP|IM_ROBOT)\.(.+)$/.exec(body.openSpaceId)!
    const deliver = spaceType === 'IM_GROUP' ? body.imGroupOpenDeliverModel : body.imRobotOpenDeliverModel
    if (!deliver) return sendApiError(res, 400, 'param.deliverModelMissing', `${spaceType} needs its deliver model`)
    if (spaceType === 'IM_GROUP' && deliver.robotCode !== this.deps.robotCode)
      return sendApiError(res, 400, 'param.robotCodeInvalid', `robotCode ${String(deliver.robotCode)} 不存在`)
    const card: SimCard = {
      outTrackId: body.outTrackId,
      templateId: template.id,
      kind: template.kind,
      ...(spaceType === 'IM_GROUP' ? { conversationId: spaceId } : { staffId: spaceId }),
      callback: body.callbackType === 'STREAM',
      atUserIds: Object.keys(body.imGroupOpenDeliverModel?.atUserIds ?? {}),
      params: { ...body.cardData.cardParamMap },
      streaming: [],
      finalized: false,
      buttons: [],
    }
    this.cards.set(card.outTrackId, card)
    this.changed(card, 'created')
    sendJson(res, 200, {
      success: true,
      result: { outTrackId: card.outTrackId, deliverResults: [{ spaceType, spaceId, success: true }] },
    })
  }

  /** `PUT /v1.0/card/instances` (update by key) */
  async handleUpdate(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.read(req, res, updateBody)
    if (!body) return
    const card = this.cards.get(body.outTrackId)
    if (!card) return sendApiError(res, 400, 'param.cardNotExist', `卡片不存在: ${body.outTrackId}`)
    Object.assign(card.params, body.cardData.cardParamMap)
    this.changed(card, 'updated')
    sendJson(res, 200, { success: true, result: true })
  }

  /** `PUT /v1.0/card/streaming` */
  async handleStreaming(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.read(req, res, streamingBody)
    if (!body) return
    const card = this.cards.get(body.outTrackId)
    if (!card) return sendApiError(res, 400, 'param.cardNotExist', `卡片不存在: ${body.outTrackId}`)
    const template = this.deps.templates.find((t) => t.id === card.templateId)
    if (template?.kind !== 'ai' || template.streamingKey !== body.key)
      return sendApiError(
        res,
        400,
        'param.keyInvalid',
        `key ${body.key} is not a streaming variable of ${card.templateId}`,
      )
    if (card.finalized) return sendApiError(res, 400, 'card.streamingFinished', '流式卡片已结束')
    const before = card.params[body.key] ?? ''
    card.params[body.key] = body.isFull ? body.content : before + body.content
    card.finalized = body.isFinalize
    card.streaming.push({
      key: body.key,
      content: body.content,
      isFinalize: body.isFinalize,
      isError: body.isError ?? false,
    })
    this.changed(card, 'streaming')
    sendJson(res, 200, { success: true, result: true })
  }

  /**
   * The `data` of the CALLBACK DingTalk sends when `staffId` presses a button: the button's template params
   * filled from the card's variables, with `params` merged over them (for tampering tests). `corpId` is the
   * presser's org: the simulator's own (that of its messages) unless given; `null` leaves the field out.
   */
  callbackData(input: CardPress): string {
    const card = this.cards.get(input.outTrackId)
    if (!card) throw new Error(`no card ${input.outTrackId}`)
    const template = this.deps.templates.find((t) => t.id === card.templateId)
    const button = template?.buttons?.find((b) => b.actionId === input.actionId)
    const filled = Object.fromEntries((button?.params ?? []).map((name) => [name, card.params[name] ?? '']))
    const content = JSON.stringify({
      cardPrivateData: { actionIds: [input.actionId], params: { ...filled, ...input.params } },
    })
    const corpId = input.corpId === undefined ? SIM_CORP_ID : input.corpId
    return JSON.stringify({
      extension: '{}',
      ...(corpId === null ? {} : { corpId }),
      spaceType: card.conversationId ? 'IM_GROUP' : 'IM_ROBOT',
      spaceId: card.conversationId ?? card.staffId,
      userIdType: 1,
      type: 'actionCallback',
      userId: input.staffId,
      content,
      value: content,
      outTrackId: card.outTrackId,
    })
  }

  /** Applies the card update a callback's ack carries, as DingTalk does; returns that update (or undefined). */
  applyAnswer(outTrackId: string, ackData: unknown): Record<string, string> | undefined {
    const card = this.cards.get(outTrackId)
    const outer = typeof ackData === 'string' ? parseJson(ackData) : ackData
    const response = isRecord(outer) ? outer.response : undefined
    const update = isRecord(response) && isRecord(response.cardData) ? response.cardData.cardParamMap : undefined
    const parsed = params.safeParse(update)
    if (!card || !parsed.success) return undefined
    Object.assign(card.params, parsed.data)
    this.changed(card, 'callback-answer')
    return parsed.data
  }

  private changed(card: SimCard, change: CardChange): void {
    const template = this.deps.templates.find((t) => t.id === card.templateId)
    const when = template?.buttonsWhen
    const showButtons = !when || card.params[when.variable] === when.equals
    card.buttons = showButtons ? (template?.buttons ?? []).map(({ actionId, label }) => ({ actionId, label })) : []
    this.deps.onChange(card, change)
  }

  private async read<T extends z.ZodType>(
    req: IncomingMessage,
    res: ServerResponse,
    schema: T,
  ): Promise<z.infer<T> | undefined> {
    const raw = parseJson((await readBody(req)).text)
    if (!this.deps.authorized(req)) {
      sendApiError(res, 400, 'InvalidAuthentication', '不合法的access_token')
      return undefined
    }
    const parsed = schema.safeParse(raw)
    if (!parsed.success) {
      sendApiError(res, 400, 'invalidParameter', z.prettifyError(parsed.error))
      return undefined
    }
    return parsed.data
  }
}
