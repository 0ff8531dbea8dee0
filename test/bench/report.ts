import { existsSync, readFileSync } from 'node:fs'
import type { AdminResult, AuditRateResult } from './admin.js'
import type { FaultResult } from './faults.js'
import type { LatencyResult } from './latency.js'
import type { MachineInfo } from './machine.js'
import type { MemoryResult } from './memory.js'
import type { ThroughputResult, ThroughputRound } from './throughput.js'

/** The targets, in one place so the table, the JSON and the README agree. */
export const TARGETS = {
  throughputRatioMin: 0.9,
  ackP99RatioMax: 1.5,
  rssMaxMB: 150,
  /** "No upward trend": the fitted slope over the last half stays under this. */
  rssTrendMaxMBPer10k: 0.5,
}

export interface BenchResults {
  startedAt: string
  finishedAt?: string
  durationSeconds?: number
  machine: MachineInfo
  settings: Record<string, unknown>
  throughput?: ThroughputResult
  latency?: LatencyResult
  memory?: MemoryResult
  admin?: AdminResult
  audit?: AuditRateResult
  faults?: FaultResult
  /** The router child's highest RSS over the burst and paced phases, MB. */
  rssPeak?: { burstAndPacedMB: number }
  errors: string[]
  /** Each child's log lines counted by level and message (LOG_LEVEL=warn: every line is a problem). */
  childLogs: Record<string, Record<string, number>>
  rows?: Row[]
}

export interface Row {
  figure: string
  router: string
  bare: string
  target: string
  /** undefined: reported only, no target. */
  pass?: boolean
}

const f = (v: number, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a')
const ratio = (a: number, b: number) => a / b

/** The table rows, computed from whatever phases completed. */
export function rows(r: BenchResults): Row[] {
  const out: Row[] = []
  const t = r.throughput
  if (t) {
    out.push({
      figure: `Burst throughput, ping, msg/s (${t.messagesPerRound} offered at once from 50 senders, median of ${t.rounds.length} rounds)`,
      router: String(t.routerMedianPerSecond),
      bare: String(t.bareMedianPerSecond),
      target: `median ratio ${f(t.medianRatio)} ≥ ${TARGETS.throughputRatioMin}`,
      pass: t.medianRatio >= TARGETS.throughputRatioMin,
    })
    out.push({
      figure: 'CPU per message in the bot process, ms (median of rounds)',
      router: f(t.routerCpuMsPerMessage, 3),
      bare: f(t.bareCpuMsPerMessage, 3),
      // What the throughput target leaves a bot that saturates one core: 0.9 × the bare bot's rate means at
      // most this much CPU a message. The router's process CPU also counts its GC and thread-pool helpers.
      target:
        `bare/router ${f(t.bareCpuMsPerMessage / t.routerCpuMsPerMessage)}; bench process ${f(t.benchCpuMsPerMessage, 3)}; ` +
        `one core at ${TARGETS.throughputRatioMin} × the bare rate allows ${f(1000 / (TARGETS.throughputRatioMin * t.bareMedianPerSecond), 3)}`,
    })
    if (t.floor)
      out.push({
        figure:
          'Durable floor, a reference (the bare bot with only the router’s inbox writes), burst msg/s; CPU ms/msg',
        router: '—',
        bare: `${t.floor.medianPerSecond}; ${f(t.floor.cpuMsPerMessage, 3)}`,
        target: `floor/bare ${f(t.floor.medianRatio)}, router/floor ${f(t.floor.routerMedianRatio)} (medians of rounds)`,
      })
  }
  const l = r.latency
  if (l) {
    const incomplete = [l.router, l.bare, l.routerSleep].filter((x) => !x.completed).map((x) => x.text)
    const at = `${l.ratePerSecond} msg/s${incomplete.length ? ' (INCOMPLETE runs)' : ''}`
    const p99 = `median of ${l.roundsPerVariant} rounds' p99`
    const ackRatio = ratio(l.router.ackP99Median, l.bare.ackP99Median)
    out.push({
      figure: `Ack p50 at ${at}, ms`,
      router: f(l.router.ack.p50),
      bare: f(l.bare.ack.p50),
      target: `ratio ${f(ratio(l.router.ack.p50, l.bare.ack.p50))}`,
    })
    out.push({
      figure: `Ack p99 at ${at} (${p99}), ms`,
      router: f(l.router.ackP99Median),
      bare: f(l.bare.ackP99Median),
      target: `ratio ${f(ackRatio)} ≤ ${TARGETS.ackP99RatioMax}`,
      pass: ackRatio <= TARGETS.ackP99RatioMax,
    })
    out.push({
      figure: `Reply p50 / p99 at ${at}, ms`,
      router: `${f(l.router.reply.p50)} / ${f(l.router.replyP99Median)}`,
      bare: `${f(l.bare.reply.p50)} / ${f(l.bare.replyP99Median)}`,
      target: 'reported',
    })
    const sleepRatio = ratio(l.routerSleep.ackP99Median, l.bare.ackP99Median)
    out.push({
      figure: `Ack p50 / p99 at ${at}, skill sleeps 2 s, ms`,
      router: `${f(l.routerSleep.ack.p50)} / ${f(l.routerSleep.ackP99Median)}`,
      bare: f(l.bare.ackP99Median),
      target: `p99 ratio ${f(sleepRatio)} ≤ ${TARGETS.ackP99RatioMax} (vs router ping ${f(ratio(l.routerSleep.ackP99Median, l.router.ackP99Median))}×)`,
      pass: sleepRatio <= TARGETS.ackP99RatioMax,
    })
    out.push({
      figure: `Reply p50 / p99 at ${at}, skill sleeps 2 s, ms`,
      router: `${f(l.routerSleep.reply.p50, 0)} / ${f(l.routerSleep.replyP99Median, 0)}`,
      bare: '—',
      target: 'reported',
    })
  }
  if (r.rssPeak) {
    out.push({
      figure: 'Peak RSS over the burst and paced phases, MB (production build)',
      router: f(r.rssPeak.burstAndPacedMB, 1),
      bare: '—',
      target: `≤ ${TARGETS.rssMaxMB}`,
      pass: r.rssPeak.burstAndPacedMB <= TARGETS.rssMaxMB,
    })
  }
  if (t || l) {
    const lostIn = (v: 'router' | 'bare') =>
      (t?.rounds.reduce((a, x) => a + x[v].lost, 0) ?? 0) +
      (l ? (v === 'router' ? [l.router, l.routerSleep] : [l.bare]).reduce((a, x) => a + x.messages - x.replied, 0) : 0)
    const twiceIn = (v: 'router' | 'bare') => t?.rounds.reduce((a, x) => a + (x[v].duplicates ?? 0), 0) ?? 0
    const lr = lostIn('router')
    const tr = twiceIn('router')
    out.push({
      figure: 'Replies lost / answered twice (burst and paced phases)',
      router: `${lr} / ${tr}`,
      bare: `${lostIn('bare')} / ${twiceIn('bare')}`,
      target: '0 / 0',
      pass: lr === 0 && tr === 0,
    })
  }
  const fx = r.faults
  if (fx) {
    out.push({
      figure: `Webhook answering 503 to ${Math.round(100 / fx.failEvery)} % of POSTs (${fx.failedPosts} of ${fx.posts}), ${fx.messages} at ${fx.ratePerSecond} msg/s: lost / answered twice`,
      router: `${fx.lost} / ${fx.answeredTwice}`,
      bare: '—',
      target: `0 / 0 (${fx.repliedProactively ?? 0} answered by a proactive send; reply p50 / p99 ${f(fx.replyP50)} / ${f(fx.replyP99)} ms)`,
      pass: fx.lost === 0 && fx.answeredTwice === 0,
    })
  }
  const m = r.memory
  if (m) {
    const short = m.completed ? '' : ` (INCOMPLETE: target ${m.target.toLocaleString('en')})`
    out.push({
      figure: `RSS after ${m.messages.toLocaleString('en')} messages, MB${short}`,
      router: f(m.rssFinalMB, 1),
      bare: '—',
      target: `≤ ${TARGETS.rssMaxMB} (max seen ${f(m.rssMaxMB, 1)})`,
      pass: m.completed && m.rssFinalMB <= TARGETS.rssMaxMB && m.rssMaxMB <= TARGETS.rssMaxMB,
    })
    out.push({
      figure: 'RSS trend over the last half, MB per 10k messages',
      router: f(m.trendMBPer10k),
      bare: '—',
      target: `≤ ${TARGETS.rssTrendMaxMBPer10k}`,
      pass: m.trendMBPer10k <= TARGETS.rssTrendMaxMBPer10k,
    })
  }
  const a = r.admin
  if (a && a.count > 0) {
    out.push({
      figure: `Admin command → executed reply, p50 / p99, ms (${a.count}, ${a.commands.join(' ⇄ ')})`,
      router: `${f(a.latency.p50)} / ${f(a.latency.p99)}`,
      bare: '—',
      target: 'reported',
    })
  }
  const au = r.audit
  if (au)
    out.push({
      figure: 'Audit append rate, entries/s (one committed transaction each)',
      router: String(au.perSecond),
      bare: '—',
      target: au.verified ? 'reported; chain verifies' : 'chain did NOT verify',
      pass: au.verified ? undefined : false,
    })
  return out
}

const verdict = (p: boolean | undefined) => (p === undefined ? '' : p ? 'PASS' : 'FAIL')

/** The table for the terminal. */
export function formatTable(rs: Row[]): string {
  const head = ['figure', 'router', 'bare', 'ratio / target', 'result']
  const body = rs.map((r) => [r.figure, r.router, r.bare, r.target, verdict(r.pass)])
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line)].join('\n')
}

export const MARK_START = '<!-- BENCH-RESULTS:START -->'
const MARK_END = '<!-- BENCH-RESULTS:END -->'

/**
 * The README's "Benchmark results" section. `analysis` (test/bench/ANALYSIS.md, hand-written) is
 * included as it is, so regenerating the section keeps the explanation of any miss.
 */
export function formatMarkdown(r: BenchResults, jsonPath: string, analysisFile?: string): string {
  const m = r.machine
  const rs = r.rows ?? rows(r)
  const lines = [
    '## Benchmark results',
    '',
    `Measured by \`npm run bench\` on ${r.startedAt.slice(0, 10)}: ${m.cpus} × ${m.cpuModel}, ${m.totalMemoryGB} GB RAM, ` +
      `Node ${m.node}, ${m.platform}. Load average (1/5/15 min) ${m.loadAverageAtStart.join(' / ')} at the start` +
      `${m.loadAverageAtEnd ? ` and ${m.loadAverageAtEnd.join(' / ')} at the end` : ''}; the whole run took ${r.durationSeconds ?? '?'} s. ` +
      `Raw numbers: \`${jsonPath}\`.`,
    '',
    '| figure | router | bare SDK | ratio / target | result |',
    '|---|---|---|---|---|',
    ...rs.map((x) => `| ${x.figure} | ${x.router} | ${x.bare} | ${x.target} | ${verdict(x.pass) || '—'} |`),
    '',
  ]
  if (r.throughput) {
    const floor = (x: ThroughputRound) => (x.floor ? ` (floor ${x.floor.perSecond} = ${x.floorRatio?.toFixed(2)})` : '')
    lines.push(
      `Throughput rounds (msg/s, router / bare = ratio${r.throughput.floor ? '; the durable floor and floor / bare' : ''}): ` +
        r.throughput.rounds
          .map((x) => `${x.router.perSecond} / ${x.bare.perSecond} = ${x.ratio.toFixed(2)}${floor(x)}`)
          .join('; ') +
        '.',
      '',
    )
  }
  if (r.latency) {
    const per = (v: { rounds: { ackP99: number }[] }) => v.rounds.map((x) => f(x.ackP99, 1)).join(', ')
    lines.push(
      `Ack p99 per round (ms): router ${per(r.latency.router)}; bare ${per(r.latency.bare)}; router with the 2 s skill ${per(r.latency.routerSleep)}. ` +
        `Pooled over all rounds: router ${f(r.latency.router.ack.p99, 1)}, bare ${f(r.latency.bare.ack.p99, 1)}, 2 s skill ${f(r.latency.routerSleep.ack.p99, 1)}.`,
      '',
    )
  }
  const mem = r.memory
  if (mem) {
    lines.push(
      `RSS samples (messages → MB): ${mem.samples
        .filter((_, i) => i % 2 === 0)
        .map((s) => `${s.messages / 1000}k → ${s.rssMB}`)
        .join(', ')}. ` +
        `Offered ${mem.ratePerSecond} msg/s with at most ${mem.window} awaiting a reply (achieved ${mem.achievedPerSecond} msg/s, ${mem.lost} lost)` +
        `${mem.nodeArgs.length ? `, router flags \`${mem.nodeArgs.join(' ')}\` added to the deployed ones` : ', router run as deployed'}` +
        `${typeof r.settings.memoryRouterCommand === 'string' ? `, node flags \`${nodeFlags(r.settings.memoryRouterCommand)}\`` : ''}. ` +
        `Where the RSS goes: idle Node alone ${mem.baseline.nodeMB} MB (with tsx's loader ${mem.baseline.nodeWithTsxMB} MB, not used by the production build), ` +
        `the idle router ${mem.rssAtStartMB} MB; at the end the V8 heap held ${mem.childAtEnd?.heapTotal ?? '?'} MB (${mem.childAtEnd?.heapUsed ?? '?'} MB in use), ` +
        `but the live heap after a full GC was ${mem.liveAtStart?.heapUsed ?? '?'} MB before the first message and ${mem.liveAtEnd?.heapUsed ?? '?'} MB after the last.`,
      '',
    )
  }
  lines.push(
    '**How it is measured.** One `npm run bench` against the built-in simulator over loopback, with the real ' +
      '`dingtalk-stream` SDK on the bot side. The bench first runs `npm run build` and compiles its router entry ' +
      'next to it (`test/bench/build.ts`), so the router child is the production build run by plain `node`, no tsx ' +
      'loader (`--source` runs the TypeScript instead), started through `bin/router-node.sh` as the image and ' +
      '`npm run start:prod` start it, so with the node flags production runs with (the command line is in ' +
      '`results.json`, `settings.routerCommand`). The simulator and the load generator share the bench ' +
      'process; each system under test is its own child process: the router (`test/bench/router-entry.ts`: ' +
      '`createRouterApp` with the real skills and commands plus a bench-only `sleep` skill, the SQLite inbox as the ' +
      'queue, audit, metrics, jobs and the HTTP listener, default pool size, at `LOG_LEVEL=warn`) and a bare SDK bot ' +
      '(`test/bench/bare-entry.ts`: a `DWClient` subclass that acks and POSTs `pong` to the sessionWebhook over a ' +
      'keep-alive `node:http` agent, nothing else). In the burst phase a third child, the *durable floor* ' +
      '(`test/bench/floor-entry.ts`), is the bare bot plus only the router’s durable intake: each frame stored in ' +
      'the inbox (the router’s `InboxStore`, schema and WAL guard, one transaction per event-loop turn, acks corked ' +
      'into one write) before its ack, and marked done with its usage row after the reply; no validation, queue, ' +
      'pipeline or reply sender. It shows what storing before the ack costs by itself, and so how much of the gap is ' +
      'the router’s own code. Before each round the bench waits for the child to be idle. ' +
      '*Burst*: router, bare (and the floor) take turns, the order rotating each round, each round offering every message at once (from 50 rotating senders, no ' +
      'cap on messages awaiting a reply) and awaiting every reply; throughput = replies / (first send → last reply); ' +
      "the child's CPU time per message (from `/proc/<pid>/stat`) is the steadier view on a shared host. *Paced*: a " +
      'timer sends the messages due on each 10 ms tick (1,000 msg/s); ack latency is frame written by the simulator → ' +
      "ack received, reply latency frame written → webhook reply received, both on the bench process's monotonic " +
      'clock; router, bare and the router with one message in 50 going to a skill that sleeps 2 s (about 40 asleep ' +
      "at once, more than the skill's share of the pool) alternate, and the target uses the median of the rounds' " +
      "p99s. *Peak RSS*: the bench reads the router child's `VmRSS` every 100 ms through the burst and paced phases. " +
      '*Webhook 5xx*: the simulator answers HTTP 503 to every 10th sessionWebhook POST (and records nothing for it) ' +
      'while the router takes a paced load; replies are counted per msgId until the child is idle again, and a ' +
      "proactive one-to-one send (the router's fallback once a reply's webhook POSTs keep failing; it names no " +
      "msgId) answers its sender's oldest unanswered message. *Soak*: a " +
      'fresh router child (with `--expose-gc`, which only exposes `gc()`, used once before the first and once after ' +
      'the last message) takes 100,000 pings offered a little below the measured throughput with at most 250 ' +
      'awaiting a reply; the parent reads `VmRSS` every 5,000 replies and fits a line through the second half. ' +
      '*Admin*: an operator in the admin group sends commands one at a time. *Audit*: `AuditLog.append` in a loop on ' +
      'a temporary database, each append its own committed transaction. The bench config raises the per-user rate ' +
      "limits (50 rotating senders at thousands of msg/s; the step still runs) and the operators' own (the admin " +
      'phase sends 200 commands within seconds) and waives approval for ' +
      '`enable-skill` so the admin figure can alternate disable/enable. `--quick` shrinks every phase to check a ' +
      'run in a couple of minutes.',
    '',
  )
  if (r.errors.length)
    lines.push(`**Phases that failed in this run:** ${r.errors.map((e) => `\`${e.slice(0, 200)}\``).join('; ')}`, '')
  if (analysisFile && existsSync(analysisFile)) lines.push(readFileSync(analysisFile, 'utf8').trim(), '')
  return lines.join('\n')
}

/** The `--…` flags of a command line (what node ran with), without paths. */
function nodeFlags(commandLine: string): string {
  return commandLine
    .split(' ')
    .filter((t) => t.startsWith('--'))
    .join(' ')
}

/** Puts `section` between the markers of an existing file, or returns it whole when there are none. */
export function spliceSection(existing: string | undefined, section: string): string {
  const wrapped = `${MARK_START}\n${section.trim()}\n${MARK_END}`
  if (existing === undefined) return wrapped + '\n'
  const a = existing.indexOf(MARK_START)
  const b = existing.indexOf(MARK_END)
  if (a === -1 || b < a) return wrapped + '\n'
  return existing.slice(0, a) + wrapped + existing.slice(b + MARK_END.length)
}
