import type { AccessTokenCache } from './access-token.js'

// DingTalk's interactive-card API: create and deliver, update by key, and AI-card streaming.

/** Where a card goes: a group conversation, or the one-to-one chat of a user with the robot. */
export type CardSpace = { kind: 'group'; conversationId: string } | { kind: 'one-to-one'; staffId: string }

/** One streaming update of an AI card (`PUT /v1.0/card/streaming`). */
export interface StreamingUpdate {
  outTrackId: string
  key: string
  content: string
  isFull: boolean
  isFinalize: boolean
  isError?: boolean
  guid: string
}

export interface CardApiOptions {
  apiBase: string
  robotCode: string
  /** The access token shared with the robot OpenAPI client. */
  tokens: Pick<AccessTokenCache, 'get' | 'invalidate'>
  timeoutMs?: number
}

/** Card values are strings on DingTalk's side; the template decides how to show them. */
export type CardParams = Record<string, string>

/**
 * DingTalk's interactive-card API: create and deliver in one call, update by key, and AI-card streaming.
 * Every call fails loudly: a 2xx without `success` or with a failed delivery is an error, never "sent".
 * @example await cards.createAndDeliver({ templateId, outTrackId, params, space: { kind: 'group', conversationId } })
 */
export class CardApi {
  constructor(private readonly opts: CardApiOptions) {}

  /** `POST /v1.0/card/instances/createAndDeliver`, with button callbacks over Stream when `callback` is set. */
  async createAndDeliver(input: {
    templateId: string
    outTrackId: string
    params: CardParams
    space: CardSpace
    callback?: boolean
    /** Group cards only: staffId → name of the people the card @-mentions. */
    at?: Record<string, string>
  }): Promise<void> {
    const { space } = input
    const body: Record<string, unknown> = {
      cardTemplateId: input.templateId,
      outTrackId: input.outTrackId,
      cardData: { cardParamMap: input.params },
      userIdType: 1,
      ...(input.callback ? { callbackType: 'STREAM' } : {}),
    }
    if (space.kind === 'group') {
      body.openSpaceId = `dtv1.card//IM_GROUP.${space.conversationId}`
      body.imGroupOpenSpaceModel = { supportForward: false }
      const at = input.at ?? {}
      body.imGroupOpenDeliverModel = {
        robotCode: this.opts.robotCode,
        ...(Object.keys(at).length > 0 ? { atUserIds: at } : {}),
      }
    } else {
      body.openSpaceId = `dtv1.card//IM_ROBOT.${space.staffId}`
      body.imRobotOpenSpaceModel = { supportForward: false }
      body.imRobotOpenDeliverModel = { spaceType: 'IM_ROBOT', robotCode: this.opts.robotCode }
    }
    const answer = (await this.call('POST', '/v1.0/card/instances/createAndDeliver', body)) as {
      success?: unknown
      result?: { deliverResults?: { success?: unknown; errorMsg?: unknown }[] }
    }
    const failed = (answer.result?.deliverResults ?? []).find((d) => d.success !== true)
    if (answer.success !== true || failed) {
      throw new Error(`card ${input.outTrackId} not delivered: ${String(failed?.errorMsg ?? 'success is not true')}`)
    }
  }

  /** `PUT /v1.0/card/instances`: replaces the given variables, keeps the others. */
  async update(outTrackId: string, params: CardParams): Promise<void> {
    await this.call('PUT', '/v1.0/card/instances', {
      outTrackId,
      cardData: { cardParamMap: params },
      cardUpdateOptions: { updateCardDataByKey: true },
    })
  }

  /** `PUT /v1.0/card/streaming`: one piece of an AI card's streamed text. */
  async stream(update: StreamingUpdate): Promise<void> {
    await this.call('PUT', '/v1.0/card/streaming', update)
  }

  /** A token DingTalk calls invalid (401, or 400 InvalidAuthentication) is dropped and the call made once more. */
  private async call(method: 'POST' | 'PUT', path: string, body: object): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      const token = await this.opts.tokens.get()
      const res = await fetch(new URL(path, this.opts.apiBase), {
        method,
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'x-acs-dingtalk-access-token': token,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
      })
      const json = (await res.json().catch(() => ({}))) as { code?: unknown; message?: unknown }
      if (res.ok) return json
      if (res.status === 401 || (res.status === 400 && json.code === 'InvalidAuthentication')) {
        this.opts.tokens.invalidate(token)
        if (attempt === 1) continue
      }
      throw new Error(
        `card API ${method} ${path} failed: HTTP ${res.status} ${String(json.code ?? '')} ${String(json.message ?? '').slice(0, 200)}`.trim(),
      )
    }
  }
}
