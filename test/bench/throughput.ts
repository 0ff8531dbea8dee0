import type { DingTalkSimulator } from '../../src/simulator/index.js'
import type { SutChild } from './child.js'
import { burst, type BurstResult } from './load.js'
import { median } from './stats.js'

export interface Variant {
  name: 'router' | 'bare' | 'floor'
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
  /** Which variant went first this round (the order rotates to cancel warm-up and drift). */
  first: Variant['name']
  router: MeasuredBurst
  bare: MeasuredBurst
  /** The durable floor's burst, when the phase ran one. */
  floor?: MeasuredBurst
  ratio: number
  /** floor / bare this round. */
  floorRatio?: number
}

/** The durable floor's figures (see floor-entry.ts): what storing before the ack costs by itself. */
export interface FloorFigures {
  medianPerSecond: number
  /** Median of the rounds' floor / bare. */
  medianRatio: number
  /** Median of the rounds' router / floor: what the router's own code costs on top of the durable intake. */
  routerMedianRatio: number
  cpuMsPerMessage: number
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
  floor?: FloorFigures
}

const ratioOf = (a: number, b: number) => Math.round((a / b) * 1000) / 1000

/**
 * Figure 1: callback frame → skill `ping` → sessionWebhook reply, for the router and the bare client (and the
 * durable floor when given), rotating the order each round. The children stay up between rounds; only one
 * receives traffic at a time.
 */
export async function throughputPhase(
  router: Variant,
  bare: Variant,
  o: { rounds: number; messages: number; warmup: number; log: (s: string) => void; floor?: Variant },
): Promise<ThroughputResult> {
  const variants = o.floor ? [router, bare, o.floor] : [router, bare]
  // Warm-up: JIT, connection pools and SQLite pages, not counted.
  for (const v of variants) await burst(v.sim, o.warmup, 'ping', 60_000)
  const rounds: ThroughputRound[] = []
  for (let round = 1; round <= o.rounds; round++) {
    const order = variants.map((_, i) => variants[(i + round - 1) % variants.length]!)
    const measured = new Map<Variant['name'], MeasuredBurst>()
    for (const v of order) measured.set(v.name, await measuredBurst(v, o.messages))
    const r = measured.get('router')!
    const s = measured.get('bare')!
    const fl = measured.get('floor')
    const ratio = ratioOf(r.perSecond, s.perSecond)
    const floorRatio = fl ? ratioOf(fl.perSecond, s.perSecond) : undefined
    rounds.push({ round, first: order[0]!.name, router: r, bare: s, floor: fl, ratio, floorRatio })
    const lost =
      r.lost + s.lost + (fl?.lost ?? 0) > 0
        ? ` (replies lost: router ${r.lost}, bare ${s.lost}${fl ? `, floor ${fl.lost}` : ''})`
        : ''
    o.log(
      `  round ${round}: router ${r.perSecond} msg/s, bare ${s.perSecond} msg/s, ratio ${ratio}` +
        `${fl ? `; floor ${fl.perSecond} msg/s, ratio ${floorRatio}` : ''}${lost}; ` +
        `CPU ms/msg router ${r.childCpuMsPerMessage}, bare ${s.childCpuMsPerMessage}${fl ? `, floor ${fl.childCpuMsPerMessage}` : ''}, ` +
        `bench process ${r.benchCpuMsPerMessage}/${s.benchCpuMsPerMessage}`,
    )
  }
  const floorRounds = rounds.filter((x): x is ThroughputRound & { floor: MeasuredBurst } => x.floor !== undefined)
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
    floor:
      floorRounds.length > 0
        ? {
            medianPerSecond: median(floorRounds.map((r) => r.floor.perSecond)),
            medianRatio: median(floorRounds.map((r) => r.floorRatio!)),
            routerMedianRatio: median(floorRounds.map((r) => ratioOf(r.router.perSecond, r.floor.perSecond))),
            cpuMsPerMessage: median(floorRounds.map((r) => r.floor.childCpuMsPerMessage)),
          }
        : undefined,
  }
}
