import { afterEach, describe, expect, it } from 'vitest'
import { createJobs } from '../../src/jobs/index.js'
import type { ModelRequestRecord } from '../../src/store/model-usage.js'
import { startBudgetRouter } from '../helpers/budget.js'
import { PATIENCE } from '../helpers/patience.js'
import { OPS, type TestRouter, verifyAndStop } from '../helpers/router.js'

const T0 = Date.parse('2030-03-04T12:00:00.000Z')
const MIN = 60_000
const HOUR = 60 * MIN

/** `count` requests of `route` spread evenly over [from, to), each with the given figures. */
function history(
  r: TestRouter,
  route: string,
  from: number,
  to: number,
  count: number,
  fig: Partial<ModelRequestRecord>,
): void {
  const { modelUsage } = r.app.services
  for (let i = 0; i < count; i++) {
    modelUsage.recordRequest({
      route,
      at: from + Math.floor(((to - from) * i) / count),
      promptTokens: 500,
      completionTokens: 80,
      toolCalls: 1,
      modelCalls: 2,
      latencyMs: 900 + (i % 5) * 50,
      cache: 'miss',
      ...fig,
    })
  }
}

function driftAudits(r: TestRouter) {
  return [...r.app.services.audit.entries()].filter((e) => e.action === 'usage-drift')
}

describe('usage drift job (fake clock)', { timeout: 5 * PATIENCE }, () => {
  let r: TestRouter | undefined
  afterEach(async () => {
    await verifyAndStop(r)
    r = undefined
  }, PATIENCE)

  it('stays quiet on flat history and alerts the admin conversations when a route drifts', async () => {
    let now = T0
    r = await startBudgetRouter({ now: () => now })
    const job = createJobs(r.app.services).find((j) => j.name === 'usage-drift')!
    expect(job.schedule).toBe('*/15 * * * *')

    // 24 h of baseline, then a last hour that looks the same (and a quiet route below minSamples).
    history(r, 'ask', T0 - 25 * HOUR, T0 - HOUR, 96, {})
    history(r, 'ask', T0 - HOUR, T0, 30, {})
    history(r, 'quiet', T0 - 25 * HOUR, T0, 10, { latencyMs: 60_000 })
    await job.run(now)
    expect(driftAudits(r)).toEqual([])
    expect(r.app.services.outbox.due().filter((e) => e.text.includes('Usage drift'))).toEqual([])

    // An hour later the prompts have tripled and the model got slow; tool calls stay flat. The baseline is
    // now the 24 h before this last hour: 92 of the first samples and the 30 flat ones.
    now = T0 + HOUR
    history(r, 'ask', T0, T0 + HOUR, 30, { promptTokens: 1500, latencyMs: 4000 })
    await job.run(now)
    const [entry] = driftAudits(r)
    expect(entry).toMatchObject({
      actor: 'usage-drift',
      channel: 'system',
      outcome: 'executed',
      args: {
        route: 'ask',
        threshold: 2,
        samples: { lastHour: 30, baseline: 122 },
        drifts: [
          { measure: 'prompt size', lastHour: 1500, baseline: 500, ratio: 3 },
          { measure: 'p95 latency', lastHour: 4000, baseline: 1100, ratio: 3.64 },
        ],
      },
    })
    const alert = await r.sim.waitForReply(
      { conversationId: OPS, predicate: (m) => m.text.includes('Usage drift') },
      PATIENCE,
    )
    expect(alert.kind).toBe('group')
    // Like every announcement, it ends with the audit head.
    expect(alert.text).toMatch(/\n\n— audit head \d+:[0-9a-f]{12}$/)
    expect(alert.text.replace(/\n\n— audit head .*$/, '')).toBe(
      'Usage drift on **ask**, last hour vs the 24 h before: prompt size 1,500 tokens vs 500 tokens (3×); ' +
        'p95 latency 4.0 s vs 1.1 s (3.64×). 30 vs 122 requests. See /budget ask.',
    )

    // Still drifting a quarter of an hour later: the cooldown keeps it to one alert.
    now += 15 * MIN
    await job.run(now)
    expect(driftAudits(r)).toHaveLength(1)
  })

  it('needs enough samples in both windows, and forgets samples older than two days', async () => {
    const now = T0
    r = await startBudgetRouter({
      now: () => now,
      configure: (c) => ({ ...c, drift: { ...c.drift, minSamples: 5, ratio: 1.5 } }),
    })
    const job = createJobs(r.app.services).find((j) => j.name === 'usage-drift')!
    history(r, 'ask', T0 - 3 * 24 * HOUR, T0 - 2 * 24 * HOUR - HOUR, 50, {})
    history(r, 'ask', T0 - 25 * HOUR, T0 - HOUR, 4, {})
    history(r, 'ask', T0 - HOUR, T0, 10, { toolCalls: 3 })
    await job.run(now)
    expect(driftAudits(r)).toEqual([]) // 4 baseline samples < minSamples 5
    expect(r.app.services.modelUsage.windowStats('ask', 0, T0 - 2 * 24 * HOUR).samples).toBe(0)

    history(r, 'ask', T0 - 25 * HOUR, T0 - HOUR, 1, {})
    await job.run(now)
    expect(driftAudits(r)[0]?.args).toMatchObject({
      route: 'ask',
      threshold: 1.5,
      drifts: [{ measure: 'tool calls', lastHour: 3, baseline: 1, ratio: 3 }],
    })
  })
})
