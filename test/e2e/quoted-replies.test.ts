import { afterEach, describe, expect, it } from 'vitest'
import { startFakeModel, type FakeModel } from '../helpers/fake-model.js'
import { startBudgetRouter } from '../helpers/budget.js'
import { PATIENCE } from '../helpers/patience.js'
import type { TestRouter } from '../helpers/router.js'

describe('quoted replies reach ask', { timeout: 5 * PATIENCE }, () => {
  let r: TestRouter | undefined
  let fake: FakeModel | undefined
  afterEach(async () => {
    await r?.stop()
    await fake?.close()
    r = undefined
    fake = undefined
  }, PATIENCE)

  const lastPrompt = (n: number) => fake!.calls[n]!.body.messages.at(-1)?.content ?? ''

  it('puts the quoted text into the prompt, in both published shapes, and nothing for a quoted card', async () => {
    fake = await startFakeModel()
    r = await startBudgetRouter({ fake })
    const q1 = 'checkout-7f9c: upstream payments timed out after 3000 ms'
    await r.say({ text: 'ask what does this mean?', quote: { text: q1, shape: 'content' } }, PATIENCE)
    expect(lastPrompt(0)).toContain(q1)
    expect(lastPrompt(0)).toMatch(/Their question: what does this mean\?$/)

    const q2 = 'payments-db pool exhausted at 10:41'
    await r.say({ text: 'ask what does this mean?', quote: { text: q2, shape: 'text' } }, PATIENCE)
    // A different quote is a different question: no cached answer from the first one.
    expect(fake.calls).toHaveLength(2)
    expect(lastPrompt(1)).toContain(q2)

    await r.say({ text: 'ask summarise this card', quote: { msgtype: 'interactiveCard' } }, PATIENCE)
    expect(lastPrompt(2)).toBe('summarise this card')
  })

  it('cuts a long quote to fit the budget instead of refusing the question', async () => {
    fake = await startFakeModel()
    r = await startBudgetRouter({ fake, routes: { ask: { maxContextTokens: 2000, maxToolCalls: 0 } } })
    const long = 'ERROR upstream timeout '.repeat(400)
    const got = await r.say({ text: 'ask why?', quote: { text: long } }, PATIENCE)
    expect(got.text).toContain('ok')
    const prompt = lastPrompt(0)
    expect(prompt).toContain('ERROR upstream timeout')
    expect(prompt).toContain('[…]')
    expect(Buffer.byteLength(prompt)).toBeLessThan(1000)
  })
})
