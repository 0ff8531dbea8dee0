import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { DingTalkSimulator } from '../../src/simulator/index.js'
import type { SutChild } from './child.js'
import type { ChildMemory } from './ipc.js'
import { paced } from './load.js'
import { slope, summarize, type LatencySummary } from './stats.js'

const MB = 1024 * 1024

export interface MemorySample {
  messages: number
  rssMB: number
  /** The bench process itself (simulator + generator), for context: it is not the figure. */
  benchRssMB: number
}

export interface MemoryResult {
  /** Messages answered; fewer than `target` when the time bound ran out. */
  messages: number
  target: number
  completed: boolean
  /** Replies that never came (given up on after 30 s). */
  lost: number
  ratePerSecond: number
  /** At most this many messages await a reply; the generator waits when the router falls behind. */
  window: number
  achievedPerSecond: number
  seconds: number
  throttledTicks: number
  sampleEvery: number
  samples: MemorySample[]
  rssAtStartMB: number
  rssFinalMB: number
  rssMaxMB: number
  /** Least-squares slope of RSS over the second half of the messages, MB per 10,000 messages. */
  trendMBPer10k: number
  /** process.memoryUsage() inside the child at start and end, MB, to tell JS heap from native memory. */
  childAtStart?: Record<keyof ChildMemory, number>
  childAtEnd?: Record<keyof ChildMemory, number>
  /**
   * The same right after a full GC (the child runs with --expose-gc, which only exposes `gc()`), taken
   * once before the first message and once after the last, so it does not disturb the samples: the live
   * heap tells a leak (it grows) from V8 merely keeping garbage around (RSS grows, the live heap does not).
   */
  liveAtStart?: Record<keyof ChildMemory, number>
  liveAtEnd?: Record<keyof ChildMemory, number>
  /** RSS of idle Node and idle Node + tsx on this machine, MB. */
  baseline: { nodeMB: number; nodeWithTsxMB: number }
  /** Extra node flags the router child ran with (none: as deployed). */
  nodeArgs: string[]
  reply: LatencySummary
}

const toMB = (v: number) => Math.round((v / MB) * 10) / 10

/** RSS of an idle `node [args] <script>` after `settleMs`, in MB: the floor under any figure of ours. */
async function idleRssMB(args: string[], settleMs = 1500): Promise<number> {
  const proc = spawn(process.execPath, args, { stdio: 'ignore' })
  try {
    await new Promise((resolve) => setTimeout(resolve, settleMs))
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))
    return kb ? Math.round((Number(kb[1]) / 1024) * 10) / 10 : Number.NaN
  } finally {
    proc.kill('SIGKILL')
  }
}

/** Idle Node, idle Node with tsx's loader: what the router's RSS stands on before any of our code runs. */
async function memoryBaseline(): Promise<{ nodeMB: number; nodeWithTsxMB: number }> {
  const idle = fileURLToPath(new URL('./idle-entry.ts', import.meta.url))
  return {
    nodeMB: await idleRssMB(['-e', 'setTimeout(() => {}, 10000)']),
    nodeWithTsxMB: await idleRssMB(['--import', 'tsx', idle]),
  }
}

function inMB(m: ChildMemory | undefined): Record<keyof ChildMemory, number> | undefined {
  if (!m) return undefined
  return {
    rss: toMB(m.rss),
    heapUsed: toMB(m.heapUsed),
    heapTotal: toMB(m.heapTotal),
    external: toMB(m.external),
    arrayBuffers: toMB(m.arrayBuffers),
  }
}

/**
 * Figure 3: a fresh router child takes `messages` pings at a paced rate, with at most `window` awaiting a
 * reply (so a slower machine lowers the rate instead of building a backlog: the figure is memory at a
 * stable load, not the size of a queue); the parent reads the child's VmRSS from /proc every
 * `sampleEvery` replies and fits a line through the second half.
 */
export async function memoryPhase(
  sim: DingTalkSimulator,
  child: SutChild,
  o: {
    messages: number
    rate: number
    window: number
    sampleEvery: number
    maxSeconds: number
    nodeArgs: string[]
    log: (s: string) => void
  },
): Promise<MemoryResult> {
  const baseline = await memoryBaseline()
  const liveAtStart = inMB(await child.memory({ gc: true }))
  const childAtStart = inMB(await child.memory())
  const rssAtStartMB = toMB(child.rssBytes())
  const samples: MemorySample[] = [{ messages: 0, rssMB: rssAtStartMB, benchRssMB: toMB(process.memoryUsage().rss) }]
  const started = Date.now()
  const r = await paced(sim, {
    ratePerSecond: o.rate,
    count: o.messages,
    text: 'ping',
    // Bounded in time: the run must finish within a few minutes even on a loaded machine.
    timeoutMs: o.maxSeconds * 1000,
    maxOutstanding: o.window,
    everyReplies: o.sampleEvery,
    onProgress: (messages) => {
      const rssMB = toMB(child.rssBytes())
      const benchRssMB = toMB(process.memoryUsage().rss)
      samples.push({ messages, rssMB, benchRssMB })
      if (messages % (o.sampleEvery * 4) === 0)
        o.log(`  ${messages} messages: router RSS ${rssMB} MB (bench process ${benchRssMB} MB)`)
    },
  })
  const done = r.tracker.replied
  if (samples.at(-1)!.messages < done) {
    o.log(`  incomplete: ${done} of ${o.messages} messages answered within ${o.maxSeconds} s (${r.tracker.lost} lost)`)
    samples.push({ messages: done, rssMB: toMB(child.rssBytes()), benchRssMB: toMB(process.memoryUsage().rss) })
  }
  const childAtEnd = inMB(await child.memory())
  // Last: the full collection must not touch any RSS sample.
  const liveAtEnd = inMB(await child.memory({ gc: true }))
  const secondHalf = samples.filter((s) => s.messages >= done / 2)
  const trend = slope(
    secondHalf.map((s) => s.messages / 10_000),
    secondHalf.map((s) => s.rssMB),
  )
  return {
    messages: done,
    target: o.messages,
    completed: r.completed,
    lost: r.tracker.lost,
    ratePerSecond: o.rate,
    window: o.window,
    achievedPerSecond: r.achievedPerSecond,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    throttledTicks: r.throttledTicks,
    sampleEvery: o.sampleEvery,
    samples,
    rssAtStartMB,
    rssFinalMB: samples.at(-1)!.rssMB,
    rssMaxMB: Math.max(...samples.map((s) => s.rssMB)),
    trendMBPer10k: Math.round(trend * 100) / 100,
    childAtStart,
    childAtEnd,
    liveAtStart,
    liveAtEnd,
    baseline,
    nodeArgs: o.nodeArgs,
    reply: summarize(r.tracker.replyMs),
  }
}
