import type { Services } from '../context.js'
import { defineJob } from '../define.js'
import { parseDuration } from '../duration.js'
import type { WindowStats } from '../store/model-usage.js'
import { textsFor, type Texts } from '../i18n/catalogue.js'

// The usage-drift job: flags a route whose last hour differs from the 24 hours before it.

const HOUR = 3_600_000

/** What is compared, and the smallest baseline divided by (so a route that never used tools can still drift). */
const MEASURES = [
  {
    name: 'prompt size',
    unit: 'tokens',
    floor: 1,
    value: (w: WindowStats) => w.meanPromptTokens,
    show: (v: number, t: Texts) => t.jobs.tokens(v),
  },
  {
    name: 'p95 latency',
    unit: 'ms',
    floor: 1,
    value: (w: WindowStats) => w.p95LatencyMs,
    show: (v: number, t: Texts) => t.jobs.seconds(v),
  },
  {
    name: 'tool calls',
    unit: 'per request',
    floor: 0.1,
    value: (w: WindowStats) => w.meanToolCalls,
    show: (v: number, t: Texts) => t.jobs.perRequest(v),
  },
] as const

/** One measure of one route past the threshold. */
export interface Drift {
  route: string
  measure: (typeof MEASURES)[number]['name']
  lastHour: number
  baseline: number
  ratio: number
}

/**
 * Compares, per route, the last hour with the 24 hours before it: mean prompt size, p95 model latency and
 * tool calls per request. A measure at `drift.ratio` times its baseline or more, with at least
 * `drift.minSamples` requests in both windows, posts one short alert per route to the admin conversations
 * and writes an audit system event; the same route and measure stay quiet for `drift.cooldown` after.
 * Each run also drops per-request samples older than two days, which is all the comparison reads.
 * @example await driftJob(services).run(Date.now())
 */
export function driftJob(s: Pick<Services, 'modelUsage' | 'config' | 'outbox' | 'audit' | 'kv' | 'log'>) {
  return defineJob({
    name: 'usage-drift',
    schedule: s.config.drift.schedule,
    run: (now) => {
      const { ratio, minSamples } = s.config.drift
      const cooldown = parseDuration(s.config.drift.cooldown) ?? 6 * HOUR
      const recentFrom = now - HOUR
      for (const route of s.modelUsage.routesSince(recentFrom - 24 * HOUR)) {
        const recent = s.modelUsage.windowStats(route, recentFrom, now + 1)
        const baseline = s.modelUsage.windowStats(route, recentFrom - 24 * HOUR, recentFrom)
        if (recent.samples < minSamples || baseline.samples < minSamples) continue
        const drifts: Drift[] = []
        for (const m of MEASURES) {
          const [r, b] = [m.value(recent), m.value(baseline)]
          const factor = r / Math.max(b, m.floor)
          const last = s.kv.get<number>(`drift.${route}.${m.name}`)
          if (factor >= ratio && (last === undefined || now - last >= cooldown)) {
            drifts.push({ route, measure: m.name, lastHour: round(r), baseline: round(b), ratio: round(factor) })
          }
        }
        if (drifts.length === 0) continue
        s.audit.transaction(() => {
          s.audit.append({
            actor: 'usage-drift',
            channel: 'system',
            action: 'usage-drift',
            outcome: 'executed',
            args: {
              route,
              drifts: drifts.map(({ route: _, ...d }) => d),
              samples: { lastHour: recent.samples, baseline: baseline.samples },
              threshold: ratio,
            },
          })
          for (const d of drifts) s.kv.set(`drift.${route}.${d.measure}`, now, now)
          s.outbox.add(alertText(route, drifts, recent.samples, baseline.samples, textsFor(s.config.locale)), now)
        })
        s.log.warn({ route, drifts }, 'usage drift: alerted the admin conversations')
      }
      s.modelUsage.pruneBefore(now - 48 * HOUR, now - 30 * 24 * HOUR)
    },
  })
}

function alertText(route: string, drifts: Drift[], recent: number, baseline: number, t: Texts): string {
  const parts = drifts.map((d) => {
    const m = MEASURES.find((x) => x.name === d.measure)!
    return t.jobs.driftPart(t.jobs.measure(d.measure), m.show(d.lastHour, t), m.show(d.baseline, t), d.ratio)
  })
  return t.jobs.drift(route, parts.join('; '), recent, baseline)
}

function round(v: number): number {
  return Math.round(v * 100) / 100
}
