import { afterEach, describe, expect, it } from 'vitest'
import { textsFor } from '../../src/i18n/catalogue.js'
import { MODEL_DOWN, NO_MODEL } from '../helpers/english-texts.js'
import { startFakeModel, type FakeModel } from '../helpers/fake-model.js'
import { ask, MODEL_KEY, startBudgetRouter } from '../helpers/budget.js'
import { metricValue } from '../helpers/metrics.js'
import { PATIENCE } from '../helpers/patience.js'
import type { TestRouter } from '../helpers/router.js'

const NARROW =
  /^That is about [\d,]+ tokens; this route takes ([\d,]+)\. Please narrow it: the service name, the time window, and the one error line that matters\.$/
const LOG_LINE =
  '2030-03-04T05:06:07Z ERROR checkout-7f9c upstream payments timed out after 3000 ms (trace 4bf92f3577b34da6)\n'

describe('ask: budgets, cache and tools against a fake model', { timeout: 5 * PATIENCE }, () => {
  let r: TestRouter | undefined
  let fake: FakeModel | undefined
  afterEach(async () => {
    await r?.stop()
    await fake?.close()
    r = undefined
    fake = undefined
  }, PATIENCE)

  it('refuses an over-budget request with the short reply and never calls the model', async () => {
    fake = await startFakeModel()
    r = await startBudgetRouter({ fake, routes: { ask: { maxContextTokens: 150 } } })
    // Text that looks like a special token is counted as ordinary text, never refused by the tokenizer.
    const pasted = LOG_LINE.repeat(15) + '<|endoftext|>'

    // The text alone is over: the pipeline refuses before the skill runs.
    const reply = await ask(r, `why does checkout fail?\n${pasted}`)
    expect(reply).toMatch(NARROW)
    expect(NARROW.exec(reply)?.[1]).toBe('150')
    expect(fake.calls).toHaveLength(0)

    // The text fits, but the system prompt and tool schemas (an operator is offered the diagnostics tool) push
    // the whole prompt over: the model client refuses.
    const midsize = await ask(
      r,
      'checkout has failed since 10:40 with upstream timeouts to payments; what should the on-call person look at first, and in which order, given the last deploy at 10:35?',
      'operator',
    )
    expect(midsize).toMatch(NARROW)
    expect(fake.calls).toHaveLength(0)

    expect(await metricValue(r.httpUrl, 'router_budget_refusals_total', { route: 'ask' })).toBe(2)
    expect(await metricValue(r.httpUrl, 'router_messages_total', { route: 'ask', outcome: 'over-budget' })).toBe(1)
    // Out of band: an error event with sizes only (never the pasted text) and a log line.
    const [event] = r.app.services.events.list({ route: 'ask' })
    expect(event).toMatchObject({ code: 'over-budget', count: 2 })
    expect(event!.message).toMatch(/^prompt of \d+ tokens over maxContextTokens 150 \((pipeline|model)\)$/)
    expect(JSON.stringify(r.app.services.events.list())).not.toContain('checkout-7f9c')
    expect(
      r.logs
        .records()
        .filter((l) => l.msg === 'over the route budget: refused before reaching the model')
        .map((l) => l.stage),
    ).toEqual(['pipeline', 'model'])
    expect(r.app.services.modelUsage.summary(0)).toEqual([
      expect.objectContaining({ route: 'ask', refusals: 2, requests: 0 }),
    ])
  })

  it('answers a repeated question from the cache without calling the model', async () => {
    fake = await startFakeModel()
    fake.script({
      content: 'Payments is slow: check the payments-db connection pool.',
      usage: { prompt: 88, completion: 14 },
    })
    r = await startBudgetRouter({ fake })

    expect(await ask(r, 'Why is checkout slow?')).toBe('Payments is slow: check the payments-db connection pool.')
    expect(fake.calls).toHaveLength(1)
    // The key is the normalized prompt and the model: case and spacing do not matter.
    expect(await ask(r, 'why is   CHECKOUT slow? ')).toBe(
      'Payments is slow: check the payments-db connection pool.\n\n(cached answer)',
    )
    expect(fake.calls).toHaveLength(1)

    // What reached the model: the configured name, the key as a Bearer token, our prompt; the key is in no log line.
    expect(fake.calls[0]!.body.model).toBe('fake-model')
    expect(fake.calls[0]!.headers.authorization).toBe(`Bearer ${MODEL_KEY}`)
    expect(fake.calls[0]!.body.messages.at(-1)).toEqual({ role: 'user', content: 'Why is checkout slow?' })
    expect(r.logs.lines.some((l) => l.includes(MODEL_KEY))).toBe(false)
    expect(await metricValue(r.httpUrl, 'router_cache_hits_total', { route: 'ask' })).toBe(1)
    expect(await metricValue(r.httpUrl, 'router_cache_misses_total', { route: 'ask' })).toBe(1)
  })

  it('shows an answer cut at max_tokens with a note saying so, and caches only a finished one', async () => {
    fake = await startFakeModel()
    fake.script(
      { content: 'Restart the pay', finish: 'length', usage: { prompt: 40, completion: 512 } },
      { content: 'Restart the payments service.', usage: { prompt: 40, completion: 9 } },
    )
    r = await startBudgetRouter({ fake })
    const cutNote = textsFor('en').ask.cutNote
    expect(await ask(r, 'how do I fix checkout?')).toBe(`Restart the pay\n\n${cutNote}`)
    // Not cached: the same question reaches the model again, and this time its finished answer is kept.
    expect(await ask(r, 'how do I fix checkout?')).toBe('Restart the payments service.')
    expect(await ask(r, 'how do I fix checkout?')).toBe('Restart the payments service.\n\n(cached answer)')
    expect(fake.calls).toHaveLength(2)
    // The cut answer was billed like any other: the model's own figures.
    expect(await metricValue(r.httpUrl, 'router_completion_tokens_total', { route: 'ask' })).toBe(512 + 9)
  })

  it('holds the tool-call cap while the model keeps asking for tools, and caps each tool output', async () => {
    fake = await startFakeModel()
    fake.otherwise({ tools: [{ name: 'diagnostics_summary' }], usage: { prompt: 50, completion: 5 } })
    // Room for the summary's header, one event line and the count of the rest (the same summary as /diag).
    r = await startBudgetRouter({ fake, routes: { ask: { maxToolCalls: 2, maxDiagnosticBytes: 400 } } })
    const { events } = r.app.services
    for (let i = 0; i < 20; i++)
      events.record(
        { route: 'service-status', code: `upstream-${i}`, message: `timeout talking to payments ${'x'.repeat(80)}` },
        Date.now(),
      )

    // The diagnostics tool is offered only to an operator in an admin conversation.
    const reply = await ask(r, 'what is failing right now?', 'operator')
    expect(reply).toBe(
      "I stopped after this route's limit of 2 tool calls without an answer. Please ask something narrower: one service, one time window.",
    )
    // Two rounds that ran a tool, then one final call with no tools offered; no more.
    expect(fake.calls).toHaveLength(3)
    expect(fake.calls.map((c) => (c.body.tools ?? []).length > 0)).toEqual([true, true, false])
    const toolOutputs = fake.calls[2]!.body.messages.filter((m) => m.role === 'tool')
    expect(toolOutputs).toHaveLength(2)
    for (const m of toolOutputs) expect(Buffer.byteLength(m.content ?? '')).toBeLessThanOrEqual(400)
    expect(toolOutputs[0]!.content).toContain('- service-status · upstream-')
    expect(toolOutputs[0]!.content).toMatch(/kinds of error more not shown/)
    expect(await metricValue(r.httpUrl, 'router_tool_calls_total', { route: 'ask' })).toBe(2)

    // Three calls in one answer with a cap of 2: two run, the third is answered without running.
    fake.script(
      { tools: [{ name: 'diagnostics_summary' }, { name: 'diagnostics_summary' }, { name: 'diagnostics_summary' }] },
      { content: 'Done.' },
    )
    expect(await ask(r, 'and the payments route?', 'operator')).toBe('Done.')
    expect(fake.calls).toHaveLength(5)
    const round = fake.calls[4]!.body.messages.filter((m) => m.role === 'tool')
    expect(round.map((m) => m.content?.startsWith('Not run'))).toEqual([false, false, true])
    expect(fake.calls[4]!.body.tools).toBeUndefined()
    expect(await metricValue(r.httpUrl, 'router_tool_calls_total', { route: 'ask' })).toBe(4)
  })

  it('exports exactly the usage the model reported after a scripted conversation', async () => {
    fake = await startFakeModel()
    fake.script(
      { tools: [{ name: 'diagnostics_summary', args: { route: 'ask' } }], usage: { prompt: 120, completion: 15 } },
      { content: 'Nothing stored for ask.', usage: { prompt: 180, completion: 40 } },
      { content: 'Use the runbook.', usage: { prompt: 90, completion: 25 } },
    )
    r = await startBudgetRouter({ fake })
    expect(await ask(r, 'any errors on ask?', 'operator')).toBe('Nothing stored for ask.')
    expect(await ask(r, 'what do I do next?', 'operator')).toBe('Use the runbook.')
    expect(await ask(r, 'any errors on ask?', 'operator')).toContain('(cached answer)')
    expect(fake.calls).toHaveLength(3)

    const at = { route: 'ask' }
    expect(await metricValue(r.httpUrl, 'router_prompt_tokens_total', at)).toBe(120 + 180 + 90)
    expect(await metricValue(r.httpUrl, 'router_completion_tokens_total', at)).toBe(15 + 40 + 25)
    expect(await metricValue(r.httpUrl, 'router_tool_calls_total', at)).toBe(1)
    expect(await metricValue(r.httpUrl, 'router_cache_hits_total', at)).toBe(1)
    expect(await metricValue(r.httpUrl, 'router_cache_misses_total', at)).toBe(2)
    // One latency observation per request that reached the model (the cache hit did not).
    expect(await metricValue(r.httpUrl, 'router_model_latency_seconds_count', at)).toBe(2)
    expect(await metricValue(r.httpUrl, 'router_budget_refusals_total', at)).toBe(0)

    // The same numbers are rolled up per minute in SQLite and shown on GET /status.
    const expected = {
      route: 'ask',
      requests: 3,
      modelCalls: 3,
      promptTokens: 390,
      completionTokens: 80,
      toolCalls: 1,
      cacheHits: 1,
      cacheMisses: 2,
      refusals: 0,
    }
    expect(r.app.services.modelUsage.summary(0)).toEqual([expect.objectContaining(expected)])
    const status = (await (await fetch(`${r.httpUrl}/status`)).json()) as { modelUsage: unknown[] }
    expect(status.modelUsage).toEqual([expect.objectContaining(expected)])
  })

  it('says so, and stays out of help, when no model is configured', async () => {
    r = await startBudgetRouter()
    expect(await ask(r, 'why is checkout slow?')).toBe(NO_MODEL)
    const help = (await r.say('help')).text
    expect(help).toContain('ping')
    expect(help).not.toContain('ask ')
    expect(MODEL_DOWN).not.toBe(NO_MODEL)
  })
})
