import type { DingTalkSimulator } from '../../src/simulator/index.js'
import type { SutChild } from './child.js'
import { burst, type BurstResult } from './load.js'
import { median } from './stats.js'

export interface Variant {
  name: 'router' | 'bare'
  sim: DingTalkSimulator
  child: SutChild
}

/** One burst plus the CPU it cost: in the child (the system under test) and in the bench process. */
export interface MeasuredBurst extends BurstResult {
  /** Child CPU time (user + system) per message, ms. */
  childCpuMsPerMessage: number
  /** Bench-process CPU (simulator + generator) per message, ms: shows when the generator is the limit. */
  benchCpuMsPerMessage: number
}

async function measuredBurst(v: Variant, messages: number): Promise<MeasuredBurst> {
  await v.child.waitIdle()
  const child0 = v.child.cpuSeconds()
  const bench0 = process.cpuUsage()
  const r = await burst(v.sim, messages, 'ping', 120_000)
  const bench = process.cpuUsage(bench0)
  const childMs = (v.child.cpuSeconds() - child0) * 1000
  const round3 = (x: number) => Math.round(x * 1000) / 1000
  return {
    ...r,
    childCpuMsPerMessage: round3(childMs / messages),
    benchCpuMsPerMessage: round3((bench.user + bench.system) / 1000 / messages),
  }
}

export interface ThroughputRound {
  round: number
  /** Which variant went first this round (the order alternates to cancel warm-up and drift). */
  first: 'router' | 'bare'
  router: MeasuredBurst
  bare: MeasuredBurst
  ratio: number
}

export interface ThroughputResult {
  messagesPerRound: number
  warmupMessages: number
  rounds: ThroughputRound[]
  routerMedianPerSecond: number
  bareMedianPerSecond: number
  medianRatio: number
  /** Median child CPU per message, ms, and their ratio: the noise-resistant view of the same question. */
  routerCpuMsPerMessage: number
  bareCpuMsPerMessage: number
  benchCpuMsPerMessage: number
}

/**
 * Figure 1: callback frame → skill `ping` → sessionWebhook reply, for the router and the bare client,
 * alternating, several rounds. Both children stay up between rounds; only one receives traffic at a time.
 */
export async function throughputPhase(
  router: Variant,
  bare: Variant,
  o: { rounds: number; messages: number; warmup: number; log: (s: string) => void },
): Promise<ThroughputResult> {
  // Warm-up: JIT, connection pools and SQLite pages, not counted.
  await burst(router.sim, o.warmup, 'ping', 60_000)
  await burst(bare.sim, o.warmup, 'ping', 60_000)
  const rounds: ThroughputRound[] = []
  for (let round = 1; round <= o.rounds; round++) {
    const first = round % 2 === 1 ? router : bare
    const second = first === router ? bare : router
    const a = await measuredBurst(first, o.messages)
    const b = await measuredBurst(second, o.messages)
    const r = first === router ? a : b
    const s = first === router ? b : a
    const ratio = Math.round((r.perSecond / s.perSecond) * 1000) / 1000
    rounds.push({ round, first: first.name, router: r, bare: s, ratio })
    const lost = r.lost + s.lost > 0 ? ` (replies lost: router ${r.lost}, bare ${s.lost})` : ''
    o.log(
      `  round ${round}: router ${r.perSecond} msg/s, bare ${s.perSecond} msg/s, ratio ${ratio}${lost}; ` +
        `CPU ms/msg router ${r.childCpuMsPerMessage}, bare ${s.childCpuMsPerMessage}, bench process ${r.benchCpuMsPerMessage}/${s.benchCpuMsPerMessage}`,
    )
  }
  return {
    messagesPerRound: o.messages,
    warmupMessages: o.warmup,
    rounds,
    routerMedianPerSecond: median(rounds.map((r) => r.router.perSecond)),
    bareMedianPerSecond: median(rounds.map((r) => r.bare.perSecond)),
    medianRatio: median(rounds.map((r) => r.ratio)),
    routerCpuMsPerMessage: median(rounds.map((r) => r.router.childCpuMsPerMessage)),
    bareCpuMsPerMessage: median(rounds.map((r) => r.bare.childCpuMsPerMessage)),
    benchCpuMsPerMessage: median(rounds.flatMap((r) => [r.router.benchCpuMsPerMessage, r.bare.benchCpuMsPerMessage])),
  }
}
