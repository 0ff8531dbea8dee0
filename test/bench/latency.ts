import type { DingTalkSimulator } from '../../src/simulator/index.js'
import type { SutChild } from './child.js'
import { paced, type MessageText } from './load.js'
import { median, summarize, type LatencySummary } from './stats.js'

/** One variant's figures, pooled over every round (each round is `seconds` at the same offered load). */
export interface LatencyRun {
  text: string
  /** False when a round hit its time bound or lost replies; then `replied` < `messages`. */
  completed: boolean
  messages: number
  replied: number
  /** Over every round's samples together. */
  ack: LatencySummary
  reply: LatencySummary
  /** The median of the rounds' own p99s: the figure the target uses, as one bad round moves it little. */
  ackP99Median: number
  replyP99Median: number
  rounds: { achievedPerSecond: number; ackP50: number; ackP99: number; replyP99: number; childCpuShare: number }[]
}

export interface LatencyResult {
  ratePerSecond: number
  seconds: number
  roundsPerVariant: number
  tickMs: number
  router: LatencyRun
  bare: LatencyRun
  routerSleep: LatencyRun
}

interface Variant {
  key: 'router' | 'bare' | 'routerSleep'
  sim: DingTalkSimulator
  child: SutChild
  text: MessageText
  ackMs: number[]
  replyMs: number[]
  run: LatencyRun
}

async function round(v: Variant, rate: number, count: number, tickMs: number, log: (s: string) => void): Promise<void> {
  await v.child.waitIdle()
  const cpu0 = v.child.cpuSeconds()
  const wall0 = Date.now()
  // Generous bound: the sleeping skill answers 2 s after the last message at best.
  const r = await paced(v.sim, {
    ratePerSecond: rate,
    count,
    text: v.text,
    tickMs,
    timeoutMs: (count / rate) * 1000 + 30_000,
  })
  const childCpuShare = Math.round(((v.child.cpuSeconds() - cpu0) / ((Date.now() - wall0) / 1000)) * 100) / 100
  v.ackMs.push(...r.tracker.ackMs)
  v.replyMs.push(...r.tracker.replyMs)
  const ack = summarize(r.tracker.ackMs)
  const reply = summarize(r.tracker.replyMs)
  v.run.messages += count
  v.run.replied += r.tracker.replied
  v.run.completed &&= r.completed
  v.run.rounds.push({
    achievedPerSecond: r.achievedPerSecond,
    ackP50: ack.p50,
    ackP99: ack.p99,
    replyP99: reply.p99,
    childCpuShare,
  })
  log(
    `  ${v.key.padEnd(11)} ack p50/p99 ${ack.p50}/${ack.p99} ms, reply p50/p99 ${reply.p50}/${reply.p99} ms, ` +
      `CPU ${childCpuShare} core${r.completed ? '' : `, INCOMPLETE (${r.tracker.replied} of ${count} replies)`}`,
  )
}

/** In the slow-skill variant, one message in this many asks the `sleep` skill (20 a second at 1,000 msg/s). */
const SLEEP_EVERY = 50

/**
 * Figure 2: ack and reply latency at a fixed offered load (a timer sends the messages due each tick), for
 * the router, the bare client, and the router while a skill that sleeps 2 s gets one message in 50 (40 of
 * them asleep at a time, more than the skill's share of the pool: its ack, and the pings, must not move). The three alternate, several rounds, each starting with its child idle. p50s are
 * over all rounds' samples together; the p99 the target uses is the median of the rounds' p99s, so one
 * round disturbed by the shared machine does not decide it.
 */
export async function latencyPhase(
  routerSim: DingTalkSimulator,
  routerChild: SutChild,
  bareSim: DingTalkSimulator,
  bareChild: SutChild,
  o: { rate: number; seconds: number; rounds: number; tickMs: number; log: (s: string) => void },
): Promise<LatencyResult> {
  const count = Math.round(o.rate * o.seconds)
  const make = (
    key: Variant['key'],
    sim: DingTalkSimulator,
    child: SutChild,
    text: MessageText,
    label: string,
  ): Variant => ({
    key,
    sim,
    child,
    text,
    ackMs: [],
    replyMs: [],
    run: {
      text: label,
      completed: true,
      messages: 0,
      replied: 0,
      ack: summarize([]),
      reply: summarize([]),
      ackP99Median: Number.NaN,
      replyP99Median: Number.NaN,
      rounds: [],
    },
  })
  const variants = [
    make('router', routerSim, routerChild, 'ping', 'ping'),
    make('bare', bareSim, bareChild, 'ping', 'ping'),
    // One message in SLEEP_EVERY goes to the skill that sleeps 2 s: more than its share of the pool is
    // asleep all the time, and the pings around them must be acked and answered as if it were not.
    make(
      'routerSleep',
      routerSim,
      routerChild,
      (i) => (i % SLEEP_EVERY === 0 ? 'sleep' : 'ping'),
      `ping, every ${SLEEP_EVERY}th sleep`,
    ),
  ]
  // Warm-up, not counted: one second at the same rate for each child, so the phase measures warm processes
  // when it runs alone (`--only latency`) as when it follows the throughput phase.
  for (const [sim, child] of [
    [routerSim, routerChild],
    [bareSim, bareChild],
  ] as const) {
    await child.waitIdle()
    await paced(sim, { ratePerSecond: o.rate, count: o.rate, text: 'ping', tickMs: o.tickMs, timeoutMs: 30_000 })
  }
  for (let r = 0; r < o.rounds; r++) {
    // Rotate the order each round so no variant always runs first (warmest or coldest machine).
    for (let i = 0; i < variants.length; i++)
      await round(variants[(i + r) % variants.length]!, o.rate, count, o.tickMs, o.log)
  }
  for (const v of variants) {
    v.run.ack = summarize(v.ackMs)
    v.run.reply = summarize(v.replyMs)
    v.run.ackP99Median = median(v.run.rounds.map((x) => x.ackP99))
    v.run.replyP99Median = median(v.run.rounds.map((x) => x.replyP99))
  }
  const [router, bare, routerSleep] = variants.map((v) => v.run) as [LatencyRun, LatencyRun, LatencyRun]
  return {
    ratePerSecond: o.rate,
    seconds: o.seconds,
    roundsPerVariant: o.rounds,
    tickMs: o.tickMs,
    router,
    bare,
    routerSleep,
  }
}
