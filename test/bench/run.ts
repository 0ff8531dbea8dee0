import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { commands } from '../../commands/index.js'
import type { DingTalkSimulator } from '../../src/simulator/index.js'
import { adminPhase, auditRatePhase, pickAdminCommands } from './admin.js'
import { BUILT_ROUTER_ENTRY, buildForBench } from './build.js'
import { faultPhase } from './faults.js'
import { RssPeak } from './rss-peak.js'
import type { SutChild } from './child.js'
import { latencyPhase } from './latency.js'
import { describeMachine, loadAverage } from './machine.js'
import { memoryPhase } from './memory.js'
import { formatMarkdown, formatTable, MARK_START, rows, spliceSection, TARGETS, type BenchResults } from './report.js'
import { removeWorkDirs, startBareChild, startFloorChild, startRouterChild, startSimulator } from './sut.js'
import { throughputPhase } from './throughput.js'

// `npm run bench [-- --out bench/results.json] [--markdown <file>] [--quick] [--profile] [--only a,b]`
// Every loop below is bounded in count and time, and every child is stopped (or killed) on the way out.

const USAGE =
  'usage: npm run bench -- [--out <json>] [--markdown <file>] [--quick] [--profile] [--only throughput,latency,faults,admin,memory,audit]\n' +
  '  [--source]                                        run the router from the TypeScript sources (tsx) instead of the production build\n' +
  '  [--router-node-args="--max-semi-space-size=2"]   node flags added to bin/router-node.sh\'s for every router child (default: none, as deployed)\n' +
  '  [--memory-messages <n>]                           messages in the memory phase (default 100000)\n' +
  '  --from <results.json> --markdown <file>             only rewrite the markdown section from a saved run'
const PHASES = ['throughput', 'latency', 'faults', 'admin', 'memory', 'audit'] as const
type Phase = (typeof PHASES)[number]

function parseBenchArgs() {
  return parseArgs({
    options: {
      out: { type: 'string', default: 'bench/results.json' },
      markdown: { type: 'string' },
      quick: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      source: { type: 'boolean', default: false },
      only: { type: 'string' },
      'router-node-args': { type: 'string' },
      'memory-messages': { type: 'string' },
      from: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  }).values
}
let args: ReturnType<typeof parseBenchArgs>
try {
  args = parseBenchArgs()
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n${USAGE}\n`)
  process.exit(2)
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`)
  process.exit(0)
}
const only = new Set((args.only ?? PHASES.join(',')).split(',').map((s) => s.trim()))
const unknown = [...only].filter((p) => !PHASES.includes(p as Phase))
if (unknown.length) {
  process.stderr.write(`unknown phase(s) ${unknown.join(', ')}\n${USAGE}\n`)
  process.exit(2)
}
const runs = (p: Phase) => only.has(p)
const markdownFile = args.markdown ? resolve(args.markdown) : undefined
if (markdownFile && existsSync(markdownFile) && !readFileSync(markdownFile, 'utf8').includes(MARK_START)) {
  // Never overwrite a document that does not carry the markers (the README without them, say).
  process.stderr.write(
    `${markdownFile} exists but has no ${MARK_START} … <!-- BENCH-RESULTS:END --> markers; add them where the section goes\n`,
  )
  process.exit(2)
}

const analysisFile = fileURLToPath(new URL('./ANALYSIS.md', import.meta.url))
if (args.from) {
  // Regenerate the README section from a saved run, measuring nothing.
  if (!markdownFile) {
    process.stderr.write(`--from needs --markdown <file>\n${USAGE}\n`)
    process.exit(2)
  }
  const saved = JSON.parse(readFileSync(resolve(args.from), 'utf8')) as BenchResults
  const existing = existsSync(markdownFile) ? readFileSync(markdownFile, 'utf8') : undefined
  writeFileSync(
    markdownFile,
    spliceSection(existing, formatMarkdown(saved, relative(process.cwd(), resolve(args.from)), analysisFile)),
  )
  formatLikeTheRepo(markdownFile)
  process.stdout.write(`markdown section written to ${relative(process.cwd(), markdownFile)} from ${args.from}\n`)
  process.exit(0)
}

/** Sizes of every phase; --quick shrinks them to debug the bench itself in under a minute. */
const S = args.quick
  ? {
      rounds: 2,
      messages: 500,
      warmup: 200,
      rate: 500,
      seconds: 2,
      latRounds: 1,
      faultMessages: 500,
      tickMs: 10,
      memMessages: 10_000,
      memEvery: 1000,
      memMaxSeconds: 60,
      memWindow: 250,
      adminCount: 20,
      auditMax: 5000,
      auditSeconds: 1,
    }
  : {
      rounds: 3,
      messages: 5000,
      warmup: 1000,
      rate: 1000,
      seconds: 3,
      // Five, not three: the bare bot's own p99 moves by up to six times between the rounds of one run on a
      // shared host (3.0–19.4 ms), and the median of five rounds' p99s is what one or two bad rounds cannot move.
      latRounds: 5,
      faultMessages: 5000,
      tickMs: 10,
      memMessages: 100_000,
      memEvery: 5000,
      memMaxSeconds: 300,
      memWindow: 250,
      adminCount: 200,
      auditMax: 50_000,
      auditSeconds: 3,
    }

if (args['memory-messages'] !== undefined && !/^\d+$/.test(args['memory-messages'])) {
  process.stderr.write(`--memory-messages expects a whole number\n${USAGE}\n`)
  process.exit(2)
}
if (args['memory-messages'] !== undefined) S.memMessages = Number(args['memory-messages'])
const outFile = resolve(args.out!)
const routerNodeArgs = (args['router-node-args'] ?? '').split(' ').filter(Boolean)
// Profiles go to a temporary folder (only bench/results*.json is git-ignored); the path is printed.
const profileDir = args.profile ? mkdtempSync(join(tmpdir(), 'router-bench-profiles-')) : undefined
const log = (s: string) => process.stdout.write(`${s}\n`)
const started = Date.now()
const results: BenchResults = {
  startedAt: new Date(started).toISOString(),
  machine: describeMachine(),
  settings: {
    ...S,
    senders: 50,
    logLevel: 'warn',
    targets: TARGETS,
    phases: [...only],
    profile: Boolean(profileDir),
    routerNodeArgs,
  },
  errors: [],
  childLogs: {},
}

const children = new Set<SutChild>()
const sims = new Set<DingTalkSimulator>()
process.on('exit', () => {
  for (const c of children) c.proc.kill('SIGKILL')
})
// The whole bench is bounded too: past this, whatever finished is written and the rest is reported as failed.
const WATCHDOG_MS = 15 * 60_000
const watchdog = setTimeout(() => {
  results.errors.push(`watchdog: bench exceeded ${WATCHDOG_MS / 60_000} min`)
  void finish().finally(() => process.exit(1))
}, WATCHDOG_MS)
watchdog.unref()

async function phase<T>(name: string, fn: () => Promise<T>): Promise<T | undefined> {
  const t0 = Date.now()
  log(`\n== ${name}`)
  try {
    const v = await fn()
    log(`   (${((Date.now() - t0) / 1000).toFixed(1)} s, load ${loadAverage().join(' ')})`)
    return v
  } catch (err) {
    const message = `${name}: ${(err as Error).message}`
    results.errors.push(message)
    log(`   FAILED: ${message}`)
    return undefined
  }
}

async function track<T extends SutChild>(p: Promise<T>): Promise<T> {
  const c = await p
  children.add(c)
  return c
}

async function stopChild(c: SutChild | undefined): Promise<void> {
  if (!c || !children.has(c)) return
  await c.stop()
  children.delete(c)
  results.childLogs[c.label] = c.logSummary()
}

async function newSim(): Promise<DingTalkSimulator> {
  const s = await startSimulator()
  sims.add(s)
  return s
}

let finished = false
async function finish(): Promise<void> {
  if (finished) return
  finished = true
  for (const c of [...children]) await stopChild(c).catch(() => undefined)
  for (const s of sims) await s.stop().catch(() => undefined)
  // Child logs and databases are kept only when something failed, to read why.
  if (results.errors.length === 0) removeWorkDirs()
  else log(`child logs and databases kept under ${tmpdir()}/router-bench-*`)
  results.finishedAt = new Date().toISOString()
  results.durationSeconds = Math.round((Date.now() - started) / 1000)
  results.machine.loadAverageAtEnd = loadAverage()
  results.rows = rows(results)
  mkdirSync(dirname(outFile), { recursive: true })
  writeFileSync(outFile, JSON.stringify(results, null, 2) + '\n')
  const shownJson = relative(process.cwd(), outFile) || outFile
  log(`\n${formatTable(results.rows)}\n`)
  log(
    `machine: ${results.machine.cpus} × ${results.machine.cpuModel}, ${results.machine.totalMemoryGB} GB, Node ${results.machine.node}; ` +
      `load average ${results.machine.loadAverageAtStart.join(' ')} at start, ${results.machine.loadAverageAtEnd.join(' ')} at end; ${results.durationSeconds} s`,
  )
  log(`results written to ${shownJson}`)
  if (markdownFile) {
    const existing = existsSync(markdownFile) ? readFileSync(markdownFile, 'utf8') : undefined
    writeFileSync(markdownFile, spliceSection(existing, formatMarkdown(results, shownJson, analysisFile)))
    formatLikeTheRepo(markdownFile)
    log(`markdown section written to ${relative(process.cwd(), markdownFile)}`)
  }
  if (profileDir) log(`CPU profiles in ${profileDir} (summarise with: npx tsx test/bench/profile-summary.ts <file>)`)
}

log(
  `bench: ${results.machine.cpus} × ${results.machine.cpuModel}, Node ${results.machine.node}, load average ${results.machine.loadAverageAtStart.join(' ')}`,
)
// The RSS target is for the production build: build it once, and run the router child from it.
let routerEntry: string | undefined
if (!args.source) {
  log('building: npm run build (the production build) and the bench entry into dist/')
  results.settings.buildSeconds = buildForBench()
  routerEntry = BUILT_ROUTER_ENTRY
}
results.settings.routerEntry = args.source ? 'source (tsx)' : 'production build (plain node)'
let router: SutChild | undefined
let bare: SutChild | undefined
try {
  const routerSim = await newSim()
  const bareSim = await newSim()
  if (runs('throughput') || runs('latency') || runs('admin')) {
    router = await track(startRouterChild(routerSim, 'router', profileDir, routerNodeArgs, routerEntry))
    results.settings.routerCommand = router.commandLine()
    log(`router child: ${results.settings.routerCommand}`)
    if (runs('throughput') || runs('latency')) bare = await track(startBareChild(bareSim, 'bare', profileDir))
  }
  const peak = router ? new RssPeak(router) : undefined
  if (runs('throughput')) {
    // The durable floor has its own simulator and is stopped after the phase: it is a reference for the burst
    // only, so a floor that cannot start is reported as an error and the phase runs without it.
    const floorSim = await newSim()
    const floor = await track(startFloorChild(floorSim, 'floor', profileDir)).catch((err: Error) => {
      results.errors.push(`durable floor: ${err.message}`)
      log(`durable floor did not start (${err.message}); the burst phase runs without it`)
      return undefined
    })
    results.throughput = await phase(
      `1. throughput: ${S.rounds} rounds × ${S.messages} messages, router, bare${floor ? ' and the durable floor' : ''} in turn`,
      () =>
        throughputPhase(
          { name: 'router', sim: routerSim, child: router! },
          { name: 'bare', sim: bareSim, child: bare! },
          {
            rounds: S.rounds,
            messages: S.messages,
            warmup: S.warmup,
            log,
            floor: floor && { name: 'floor', sim: floorSim, child: floor },
          },
        ),
    )
    await stopChild(floor)
  }
  if (runs('latency')) {
    results.latency = await phase(
      `2. latency at ${S.rate} msg/s: ${S.latRounds} rounds × ${S.seconds} s each of router, bare, router with a 2 s skill`,
      () =>
        latencyPhase(routerSim, router!, bareSim, bare!, {
          rate: S.rate,
          seconds: S.seconds,
          rounds: S.latRounds,
          tickMs: S.tickMs,
          log,
        }),
    )
  }
  if (peak) results.rssPeak = { burstAndPacedMB: peak.stop() }
  if (runs('faults') && router) {
    results.faults = await phase(
      `2b. webhook failing: ${S.faultMessages} messages at ${S.rate} msg/s, every 10th reply POST answered 503`,
      () =>
        faultPhase(routerSim, router!, { messages: S.faultMessages, rate: S.rate, failEvery: 10, tickMs: S.tickMs }),
    )
    if (results.faults)
      log(
        `  ${results.faults.replied} of ${results.faults.messages} answered (${results.faults.repliedProactively} by a proactive send), ` +
          `${results.faults.answeredTwice} twice; router gave up on ${results.faults.routerGiveUps ?? '?'}; ` +
          `${results.faults.failedPosts} of ${results.faults.posts} POSTs failed; ack p99 ${results.faults.ackP99} ms, reply p99 ${results.faults.replyP99} ms`,
      )
  }
  if (runs('admin') && router) {
    const picked = pickAdminCommands(commands)
    results.admin = await phase(
      `4a. admin command latency: ${S.adminCount} × ${picked.lines.join(' ⇄ ') || '(none)'}`,
      () => adminPhase(routerSim, router!, picked.lines, S.adminCount, picked.note),
    )
    if (picked.note) log(`   note: ${picked.note}`)
  }
  await stopChild(bare)
  await stopChild(router)
  if (runs('memory')) {
    // Offered a little below the measured router throughput, and windowed, so the run measures memory at
    // the highest load that stays stable rather than the size of a growing backlog.
    const measured = results.throughput?.routerMedianPerSecond
    const rate =
      args.quick || !measured ? S.rate : Math.max(500, Math.min(1500, Math.floor((measured * 0.8) / 100) * 100))
    results.memory = await phase(
      `3. memory: ${S.memMessages.toLocaleString('en')} messages at ${rate} msg/s into a fresh router child`,
      async () => {
        const sim = await newSim()
        const child = await track(
          startRouterChild(sim, 'memory', profileDir, ['--expose-gc', ...routerNodeArgs], routerEntry),
        )
        results.settings.memoryRouterCommand = child.commandLine()
        try {
          return await memoryPhase(sim, child, {
            messages: S.memMessages,
            rate,
            window: S.memWindow,
            sampleEvery: S.memEvery,
            maxSeconds: Math.min(S.memMaxSeconds, Math.ceil((S.memMessages / rate) * 1.3) + 20),
            nodeArgs: routerNodeArgs,
            log,
          })
        } finally {
          await stopChild(child)
          await sim.stop()
        }
      },
    )
  }
  if (runs('audit')) {
    results.audit = await phase(`4b. audit append rate (≤ ${S.auditMax} entries or ${S.auditSeconds} s)`, async () =>
      auditRatePhase({ maxEntries: S.auditMax, maxSeconds: S.auditSeconds }),
    )
  }
} catch (err) {
  results.errors.push(`setup: ${(err as Error).message}`)
  log(`FAILED: ${(err as Error).message}`)
}
await finish()
clearTimeout(watchdog)
process.exit(results.errors.length > 0 ? 1 : 0)

/** Biome formats markdown in the lint step; the written section is formatted the same way, so a fresh table passes it. */
function formatLikeTheRepo(file: string): void {
  execFileSync('npx', ['biome', 'format', '--write', file], { stdio: 'ignore' })
}
