import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DingTalkSimulator } from '../../src/simulator/index.js'
import { buildRobotPayload } from '../../src/simulator/payload.js'

const T = { timeout: 20_000 }
let sim: DingTalkSimulator
let token: string

async function call(method: 'POST' | 'PUT', path: string, body: unknown, at = token) {
  const res = await fetch(`${sim.apiBase}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-acs-dingtalk-access-token': at },
    body: JSON.stringify(body),
  })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}

function approvalCard(outTrackId: string, extra: Record<string, unknown> = {}) {
  return {
    cardTemplateId: 'sim-approval-card',
    outTrackId,
    callbackType: 'STREAM',
    cardData: { cardParamMap: { status: 'pending', approvalId: 'k3x9q2m7ta', sig: 'ab'.repeat(32) } },
    openSpaceId: 'dtv1.card//IM_GROUP.cid-ops',
    imGroupOpenDeliverModel: { robotCode: sim.robotCode },
    userIdType: 1,
    ...extra,
  }
}

const aiCard = (outTrackId: string) => ({
  cardTemplateId: 'sim-ai-card',
  outTrackId,
  cardData: { cardParamMap: { content: '', flowStatus: '1' } },
  openSpaceId: 'dtv1.card//IM_ROBOT.user1',
  imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT' },
})

const stream = (outTrackId: string, content: string, isFinalize = false, key = 'content') => ({
  outTrackId,
  guid: `g-${content.length}`,
  key,
  content,
  isFull: true,
  isFinalize,
})

beforeEach(async () => {
  sim = new DingTalkSimulator()
  await sim.start()
  const res = await fetch(`${sim.apiBase}/v1.0/oauth2/accessToken`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ appKey: sim.clientId, appSecret: sim.clientSecret }),
  })
  token = ((await res.json()) as { accessToken: string }).accessToken
})

afterEach(async () => {
  await sim.stop()
})

describe('card API of the simulator, with the checks DingTalk makes', () => {
  it('creates and delivers a card, then updates it by key; buttons follow the status', T, async () => {
    const created = await call('POST', '/v1.0/card/instances/createAndDeliver', approvalCard('t1'))
    expect(created).toMatchObject({
      status: 200,
      json: { success: true, result: { outTrackId: 't1', deliverResults: [{ spaceType: 'IM_GROUP', success: true }] } },
    })
    const card = sim.cards.cards.get('t1')!
    expect(card).toMatchObject({ conversationId: 'cid-ops', callback: true })
    expect(card.buttons.map((b) => b.label)).toEqual(['Approve', 'Deny'])
    const updated = await call('PUT', '/v1.0/card/instances', {
      outTrackId: 't1',
      cardData: { cardParamMap: { status: 'approved', statusText: 'Approved by bob' } },
      cardUpdateOptions: { updateCardDataByKey: true },
    })
    expect(updated.status).toBe(200)
    expect(card.params).toMatchObject({ status: 'approved', approvalId: 'k3x9q2m7ta' })
    expect(card.buttons).toEqual([])
    expect(
      sim.transcript
        .since(0)
        .filter((e) => e.type === 'card')
        .map((e) => e.type === 'card' && e.change),
    ).toEqual(['created', 'updated'])
  })

  it(
    'refuses a bad token, an unknown template, a reused outTrackId, a wrong robotCode and an unknown card',
    T,
    async () => {
      const bad = await call('POST', '/v1.0/card/instances/createAndDeliver', approvalCard('t1'), 'sim-at-forged')
      expect(bad).toMatchObject({ status: 400, json: { code: 'InvalidAuthentication' } })
      const template = await call(
        'POST',
        '/v1.0/card/instances/createAndDeliver',
        approvalCard('t1', { cardTemplateId: 'no-such.schema' }),
      )
      expect(template).toMatchObject({ status: 400, json: { code: 'param.cardTemplateIdInvalid' } })
      expect((await call('POST', '/v1.0/card/instances/createAndDeliver', approvalCard('t1'))).status).toBe(200)
      const again = await call('POST', '/v1.0/card/instances/createAndDeliver', approvalCard('t1'))
      expect(again).toMatchObject({ status: 400, json: { code: 'param.outTrackIdDuplicate' } })
      const robot = await call(
        'POST',
        '/v1.0/card/instances/createAndDeliver',
        approvalCard('t2', { imGroupOpenDeliverModel: { robotCode: 'other' } }),
      )
      expect(robot).toMatchObject({ status: 400, json: { code: 'param.robotCodeInvalid' } })
      const unknown = await call('PUT', '/v1.0/card/instances', { outTrackId: 'nope', cardData: { cardParamMap: {} } })
      expect(unknown).toMatchObject({ status: 400, json: { code: 'param.cardNotExist' } })
      expect(sim.cards.cards.size).toBe(1)
    },
  )

  it('streams into an AI card by its key until finalized, and refuses a wrong key and late updates', T, async () => {
    expect((await call('POST', '/v1.0/card/instances/createAndDeliver', aiCard('a1'))).status).toBe(200)
    expect((await call('PUT', '/v1.0/card/streaming', stream('a1', 'Check'))).status).toBe(200)
    const wrongKey = await call('PUT', '/v1.0/card/streaming', stream('a1', 'x', false, 'markdown'))
    expect(wrongKey).toMatchObject({ status: 400, json: { code: 'param.keyInvalid' } })
    expect((await call('PUT', '/v1.0/card/streaming', stream('a1', 'Checkout is fine.', true))).status).toBe(200)
    const late = await call('PUT', '/v1.0/card/streaming', stream('a1', 'more'))
    expect(late).toMatchObject({ status: 400, json: { code: 'card.streamingFinished' } })
    expect(sim.cards.cards.get('a1')).toMatchObject({
      staffId: 'user1',
      finalized: true,
      params: { content: 'Checkout is fine.' },
    })
    expect((await call('PUT', '/v1.0/card/streaming', stream('nope', 'x'))).status).toBe(400)
  })

  it('builds the card callback DingTalk sends, and needs a connection subscribed to the card topic', T, async () => {
    await call('POST', '/v1.0/card/instances/createAndDeliver', approvalCard('t1'))
    const data = JSON.parse(sim.cards.callbackData({ outTrackId: 't1', staffId: 'op2', actionId: 'approve' }))
    expect(data).toMatchObject({ type: 'actionCallback', userId: 'op2', outTrackId: 't1', userIdType: 1 })
    // The presser's corp: the one the simulator's messages carry, another org's when asked, or none at all.
    const { payload } = buildRobotPayload(
      { text: 'ping', senderStaffId: 'op2' },
      { now: 0, robotCode: sim.robotCode, chatbotUserId: 'bot', sessionWebhook: 'https://x', sessionTtlMs: 1 },
    )
    expect(data.corpId).toBe(payload.senderCorpId)
    expect(data.corpId).toBe(payload.chatbotCorpId)
    const press = (corpId: string | null) =>
      JSON.parse(sim.cards.callbackData({ outTrackId: 't1', staffId: 'op2', actionId: 'approve', corpId }))
    expect(press('dingforeigncorp9').corpId).toBe('dingforeigncorp9')
    expect(press(null)).not.toHaveProperty('corpId')
    expect(JSON.parse(data.content)).toEqual({
      cardPrivateData: { actionIds: ['approve'], params: { approvalId: 'k3x9q2m7ta', sig: 'ab'.repeat(32) } },
    })
    expect(() => sim.pressCardButton({ outTrackId: 't1', staffId: 'op2', actionId: 'approve' })).toThrow(
      /no stream connection subscribed/,
    )
  })
})
