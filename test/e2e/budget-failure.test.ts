import { afterEach, describe, expect, it } from 'vitest'
import { MODEL_DOWN } from '../helpers/english-texts.js'
import { STAND_IN_LABEL, startStandInModel, type StandInModel } from '../../src/simulator/stand-in-model.js'
import { promptTokens, type ChatMessage } from '../../src/model/chat.js'
import { startFakeModel, type FakeModel, type FakeStep } from '../helpers/fake-model.js'
import { ask, startBudgetRouter } from '../helpers/budget.js'
import { metricValue } from '../helpers/metrics.js'
import { PATIENCE } from '../helpers/patience.js'
import type { TestRouter } from '../helpers/router.js'

/** The router's own count of the prompts the fake received (the first `n` calls, or all of them). */
async function sentPromptTokens(fake: FakeModel, n = fake.calls.length): Promise<number> {
  let total = 0
  for (const call of fake.calls.slice(0, n)) total += await promptTokens(call.body.messages as ChatMessage[], [])
  return total
}

describe('ask when the model fails', { timeout: 5 * PATIENCE }, () => {
  let r: TestRouter | undefined
  let fake: FakeModel | undefined
  let standIn: StandInModel | undefined
  afterEach(async () => {
    await r?.stop()
    await fake?.close()
    await standIn?.close()
    r = fake = standIn = undefined
  }, PATIENCE)

  const failures: [string, FakeStep][] = [
    ['returns 500', { status: 500 }],
    ['hangs', { hang: true }],
  ]
  it.each(failures)(
    'a model that %s gets the fallback, one call per request, then the open breaker stops the calls',
    async (_name, step) => {
      fake = await startFakeModel()
      fake.otherwise(step)
      r = await startBudgetRouter({
        fake,
        model: { timeoutMs: 300 },
        egress: { breakerFailures: 2, breakerHalfOpenAfter: '10m' },
      })

      expect(await ask(r, 'is payments down?')).toBe(MODEL_DOWN)
      expect(fake.calls).toHaveLength(1) // no retry
      expect(await ask(r, 'is checkout down?')).toBe(MODEL_DOWN)
      expect(fake.calls).toHaveLength(2)
      expect(await metricValue(r.httpUrl, 'router_breaker_open', { destination: fake.dest })).toBe(1)

      // The breaker is open: the fallback answers without another call to the model.
      expect(await ask(r, 'is search down?')).toBe(MODEL_DOWN)
      expect(await ask(r, 'is login down?')).toBe(MODEL_DOWN)
      expect(fake.calls).toHaveLength(2)
      expect(await metricValue(r.httpUrl, 'router_messages_total', { route: 'ask', outcome: 'fallback' })).toBe(4)
      const codes = r.app.services.events
        .list({ route: 'ask' })
        .map((e) => e.code)
        .sort()
      expect(codes).toContain('fallback')
      expect(codes).toContain('failed')
      // The failed attempts still count as requests that reached the model (with their latency), and their
      // prompts, sent and billed though no usage came back, as the router's own count of them.
      const estimate = await sentPromptTokens(fake)
      expect(estimate).toBeGreaterThan(0)
      expect(r.app.services.modelUsage.summary(0)).toEqual([
        expect.objectContaining({ route: 'ask', modelCalls: 2, promptTokens: estimate, completionTokens: 0 }),
      ])
      expect(await metricValue(r.httpUrl, 'router_prompt_tokens_total', { route: 'ask' })).toBe(estimate)
    },
  )

  it("meters the prompt of a failed call by the router's count, and of an answered one by the model's", async () => {
    fake = await startFakeModel()
    fake.script(
      { status: 502 },
      { status: 200, body: '{"unexpected":"shape"}' },
      { status: 401 },
      { content: 'Payments is fine.', usage: { prompt: 77, completion: 6 } },
    )
    r = await startBudgetRouter({ fake })
    expect(await ask(r, 'is payments down?')).toBe(MODEL_DOWN)
    expect(await ask(r, 'is search down?')).toBe(MODEL_DOWN)
    // Credentials refused: the settings' fault, said as such rather than as an outage.
    expect(await ask(r, 'is login down?')).toContain(`${fake.dest} refused the`)
    expect(await ask(r, 'is checkout down?')).toBe('Payments is fine.')
    expect(fake.calls).toHaveLength(4)
    // The 502 and the answer in the wrong shape: the prompt went out. The 401 was refused unread.
    const estimate = await sentPromptTokens(fake, 2)
    expect(await metricValue(r.httpUrl, 'router_prompt_tokens_total', { route: 'ask' })).toBe(estimate + 77)
    expect(await metricValue(r.httpUrl, 'router_completion_tokens_total', { route: 'ask' })).toBe(6)
    expect(r.app.services.modelUsage.summary(0)).toEqual([
      expect.objectContaining({ route: 'ask', requests: 4, modelCalls: 4, promptTokens: estimate + 77 }),
    ])
  })

  it('answers from the labelled local stand-in model through the same client (simulator mode)', async () => {
    standIn = await startStandInModel()
    r = await startBudgetRouter({
      configure: (c) => ({
        ...c,
        model: { ...c.model, baseUrl: standIn!.baseUrl, name: 'local-stand-in', label: STAND_IN_LABEL },
        egress: { ...c.egress, allowHttpLoopback: [standIn!.dest] },
      }),
    })
    const plain = await ask(r, 'what can you do?')
    expect(plain).toBe(
      `${STAND_IN_LABEL} You asked: "what can you do?". I am a fixed stand-in, not a language model; set model.baseUrl and model.name for a real one. Ask about an error to see a tool call.`,
    )
    // An operator's question about trouble takes the tool path: one diagnostics_summary call, then the answer.
    const trouble = await ask(r, 'any errors lately?', 'operator')
    expect(trouble.startsWith(`${STAND_IN_LABEL} The router's diagnostics say:`)).toBe(true)
    expect(await metricValue(r.httpUrl, 'router_tool_calls_total', { route: 'ask' })).toBe(1)
    expect(await metricValue(r.httpUrl, 'router_model_latency_seconds_count', { route: 'ask' })).toBe(2)
  })
})
