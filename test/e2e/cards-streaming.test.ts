import { afterEach, describe, expect, it } from 'vitest'
import { textsFor } from '../../src/i18n/catalogue.js'
import { promptTokens, type ChatMessage } from '../../src/model/chat.js'
import { STAND_IN_LABEL, startStandInModel } from '../../src/simulator/stand-in-model.js'
import type { SimCard } from '../../src/simulator/cards.js'
import { startFakeModel, type FakeModel } from '../helpers/fake-model.js'
import { startBudgetRouter } from '../helpers/budget.js'
import { AI_TEMPLATE } from '../helpers/cards.js'
import { MODEL_DOWN } from '../helpers/english-texts.js'
import { metricValue } from '../helpers/metrics.js'
import { PATIENCE } from '../helpers/patience.js'
import { OP1, OPS, withoutMentions, type TestRouter } from '../helpers/router.js'

const PIECES = ['Checkout is slow ', 'because the payments API ', 'times out since 10:40.']
const ANSWER = PIECES.join('')
const NARROW = /^That is about [\d,]+ tokens; this route takes 150\./

/** The router with a fake model and the AI card template configured (updates as fast as they come). */
function startStreamingRouter(fake: FakeModel, routes?: Record<string, { maxContextTokens: number }>) {
  return startBudgetRouter({
    fake,
    routes,
    configure: (c) => ({ ...c, cards: { ...c.cards, streamingTemplateId: AI_TEMPLATE, streamingIntervalMs: 0 } }),
  })
}

const aiCards = (r: TestRouter): SimCard[] =>
  [...r.sim.cards.cards.values()].filter((c) => c.templateId === AI_TEMPLATE)

describe('ask streams its answer into an AI card', { timeout: 3 * PATIENCE }, () => {
  let r: TestRouter | undefined
  let fake: FakeModel | undefined
  afterEach(async () => {
    await r?.stop()
    await fake?.close()
    r = undefined
    fake = undefined
  }, PATIENCE)

  it('shows each piece as it arrives, then the final answer; the cache keeps the final text', async () => {
    fake = await startFakeModel()
    const router = (r = await startStreamingRouter(fake))
    // The model sends its next piece only once the card shows the text so far: the updates are really incremental.
    fake.script({
      stream: PIECES,
      usage: { prompt: 42, completion: 17 },
      between: async (i) => {
        const soFar = PIECES.slice(0, i + 1).join('')
        await router.sim.waitForCard((c) => c.streaming.some((u) => u.content === soFar), PATIENCE)
      },
    })
    const sent = router.sim.sendMessage({ text: 'ask why is checkout slow?' })
    const card = await router.sim.waitForCard((c) => c.templateId === AI_TEMPLATE && c.finalized, PATIENCE)
    expect(card.staffId).toBe('user1')
    expect(fake.calls[0]!.body.stream).toBe(true)
    const partial = card.streaming.filter((u) => !u.isFinalize).map((u) => u.content)
    expect(partial).toEqual([PIECES[0], PIECES.slice(0, 2).join(''), ANSWER])
    expect(card.streaming.at(-1)).toEqual({ key: 'content', content: ANSWER, isFinalize: true, isError: false })
    await router.sim.waitForCard((c) => c.outTrackId === card.outTrackId && c.params.flowStatus === '3', PATIENCE)
    expect(card.params.content).toBe(ANSWER)
    // The answer went into the card only: no second copy as a message.
    expect(router.sim.replies.filter((m) => m.msgId === sent.msgId)).toEqual([])
    // Usage comes from the stream's own usage chunk.
    expect(await metricValue(router.httpUrl, 'router_prompt_tokens_total', { route: 'ask' })).toBe(42)
    expect(await metricValue(router.httpUrl, 'router_completion_tokens_total', { route: 'ask' })).toBe(17)

    // The same question again: answered from the cache (the final text), without a model call or a card.
    const again = await router.say('ask why is checkout slow?', PATIENCE)
    expect(again.text).toBe(`${ANSWER}\n\n(cached answer)`)
    expect(fake.calls).toHaveLength(1)
    expect(aiCards(router)).toHaveLength(1)
  })

  it('a stream cut short gets the fallback and a failed card, is not cached, and its prompt is metered', async () => {
    fake = await startFakeModel()
    const router = (r = await startStreamingRouter(fake))
    // A proxy gives up mid-answer: half a sentence, then the body ends with no finish_reason and no [DONE].
    fake.script(
      { stream: ['Restart the pay'], finish: 'cut' },
      { stream: PIECES, usage: { prompt: 42, completion: 17 } },
    )
    const question = 'ask how do I fix checkout?'
    expect(withoutMentions(await router.say(question, PATIENCE))).toBe(MODEL_DOWN)
    const [failed] = aiCards(router)
    expect(failed!.streaming.at(-1)).toMatchObject({ isFinalize: true, isError: true })
    expect(failed!.params.flowStatus).toBe('5')
    expect(await metricValue(router.httpUrl, 'router_messages_total', { route: 'ask', outcome: 'fallback' })).toBe(1)
    // Nothing reported usage, but the prompt went out: the router's own count of it is metered.
    const sent = fake.calls[0]!.body
    const estimate = await promptTokens(sent.messages as ChatMessage[], [])
    expect(estimate).toBeGreaterThan(0)
    expect(await metricValue(router.httpUrl, 'router_prompt_tokens_total', { route: 'ask' })).toBe(estimate)

    // The same question again reaches the model (the half answer was never cached), and the whole answer is.
    router.sim.sendMessage({ text: question })
    const whole = await router.sim.waitForCard((c) => c.outTrackId !== failed!.outTrackId && c.finalized, PATIENCE)
    expect(whole.streaming.at(-1)).toEqual({ key: 'content', content: ANSWER, isFinalize: true, isError: false })
    expect(fake.calls).toHaveLength(2)
    expect((await router.say(question, PATIENCE)).text).toBe(`${ANSWER}\n\n(cached answer)`)
    expect(fake.calls).toHaveLength(2)
  })

  it('an answer cut at max_tokens streams, ends with a note saying so, and is not cached', async () => {
    fake = await startFakeModel()
    const router = (r = await startStreamingRouter(fake))
    fake.script({ stream: ['Restart the pay'], finish: 'length', usage: { prompt: 42, completion: 512 } })
    const question = 'ask how do I fix checkout?'
    router.sim.sendMessage({ text: question })
    const cut = await router.sim.waitForCard((c) => c.templateId === AI_TEMPLATE && c.finalized, PATIENCE)
    const marked = `Restart the pay\n\n${textsFor('en').ask.cutNote}`
    expect(cut.streaming.at(-1)).toEqual({ key: 'content', content: marked, isFinalize: true, isError: false })
    // Asked again: a model call, not "(cached answer)".
    router.sim.sendMessage({ text: question })
    await router.sim.waitForCard((c) => c.outTrackId !== cut.outTrackId && c.finalized, PATIENCE)
    expect(fake.calls).toHaveLength(2)
  })

  it('makes no model call and no card when the budget refuses the question', async () => {
    fake = await startFakeModel()
    r = await startStreamingRouter(fake, { ask: { maxContextTokens: 150 } })
    // From an operator in the admin group, whose prompt carries the diagnostics tool's schema too.
    const reply = await r.say(
      {
        text: 'ask checkout has failed since 10:40 with upstream timeouts to payments; what should the on-call person look at first, and in which order, given the last deploy at 10:35?',
        senderStaffId: OP1.staffId,
        conversationId: OPS,
      },
      PATIENCE,
    )
    expect(withoutMentions(reply)).toMatch(NARROW)
    expect(fake.calls).toHaveLength(0)
    expect(aiCards(r)).toEqual([])
  })

  it('falls back to one markdown reply when the model does not stream text', async () => {
    fake = await startFakeModel()
    r = await startStreamingRouter(fake)
    fake.script({ status: 503 })
    const reply = await r.say('ask is checkout ok?', PATIENCE)
    expect(reply.text).toContain('not answering right now')
    expect(aiCards(r)).toEqual([])
  })

  it('streams the stand-in model of simulator mode, tool round included', async () => {
    const standIn = await startStandInModel()
    try {
      r = await startBudgetRouter({
        configure: (c) => ({
          ...c,
          model: { ...c.model, baseUrl: standIn.baseUrl, name: 'local-stand-in', label: STAND_IN_LABEL },
          egress: { ...c.egress, allowHttpLoopback: [standIn.dest] },
          cards: { ...c.cards, streamingTemplateId: AI_TEMPLATE, streamingIntervalMs: 0 },
        }),
      })
      // The diagnostics tool is offered to an operator in an admin conversation only.
      r.sim.sendMessage({ text: 'ask any errors lately?', senderStaffId: OP1.staffId, conversationId: OPS })
      const card = await r.sim.waitForCard((c) => c.templateId === AI_TEMPLATE && c.finalized, PATIENCE)
      expect(card.streaming.at(-1)?.content.startsWith(`${STAND_IN_LABEL} The router's diagnostics say:`)).toBe(true)
      expect(card.streaming.length).toBeGreaterThan(1)
      expect(await metricValue(r.httpUrl, 'router_tool_calls_total', { route: 'ask' })).toBe(1)
    } finally {
      await standIn.close()
    }
  })
})
