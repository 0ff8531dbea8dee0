import { performance } from 'node:perf_hooks'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import type { CommandDefinition } from '../../src/define.js'
import type { DingTalkSimulator } from '../../src/simulator/index.js'
import { openStores } from '../../src/store/open.js'
import type { SutChild } from './child.js'
import { summarize, type LatencySummary } from './stats.js'
import { BENCH_OPERATOR, BENCH_OPS_GROUP, workDir } from './sut.js'

export interface AdminResult {
  /** The command lines sent in turn; chosen from what commands/index.ts registers at run time. */
  commands: string[]
  count: number
  latency: LatencySummary
  /** One reply text per command line, to show they executed (not refused, not an approval request). */
  sampleReplies: Record<string, string>
  unexpectedReplies: number
  note?: string
}

export interface AuditRateResult {
  entries: number
  seconds: number
  perSecond: number
  verifyMs: number
  verified: boolean
}

/**
 * Picks what to time: alternating `/disable-skill ping` and `/enable-skill ping` (the bench config waives
 * enable-skill's approval, so both execute), else `/disable-skill ping` alone, else `/status`, `/whoami`.
 */
export function pickAdminCommands(registered: readonly CommandDefinition<unknown>[]): {
  lines: string[]
  note?: string
} {
  const names = new Set(registered.map((c) => c.name))
  if (names.has('disable-skill') && names.has('enable-skill'))
    return { lines: ['/disable-skill ping bench', '/enable-skill ping'] }
  if (names.has('disable-skill'))
    return {
      lines: ['/disable-skill ping bench'],
      note: 'enable-skill not registered: after the first, each disable is a no-op change (still audited)',
    }
  for (const fallback of ['status', 'whoami', 'help'])
    if (names.has(fallback))
      return { lines: [`/${fallback}`], note: `disable-skill not registered; timed /${fallback} instead` }
  return { lines: [], note: 'commands/index.ts registers no command: admin latency not measured' }
}

// A refusal, a usage line, an approval request, or the rate-limit notice: not the executed path being timed.
const REFUSED = /not available here|Unknown command|Usage:|\/approve |faster than I can take/

/**
 * Figure 4a: an operator's command in the admin group → the executed reply, one at a time, so each
 * figure is the command's own latency (parse, policy, audit append, state change, reply).
 */
export async function adminPhase(
  sim: DingTalkSimulator,
  child: SutChild,
  lines: string[],
  count: number,
  note?: string,
): Promise<AdminResult> {
  const latencies: number[] = []
  const sampleReplies: Record<string, string> = {}
  let unexpected = 0
  if (lines.length === 0)
    return { commands: [], count: 0, latency: summarize([]), sampleReplies, unexpectedReplies: 0, note }
  await child.waitIdle()
  const warmup = 4
  for (let i = 0; i < count + warmup; i++) {
    const line = lines[i % lines.length]!
    const t0 = performance.now()
    const { msgId } = sim.sendMessage({
      text: line,
      senderStaffId: BENCH_OPERATOR.staffId,
      conversationId: BENCH_OPS_GROUP,
    })
    const reply = await sim.waitForReply({ msgId }, 30_000)
    const ms = performance.now() - t0
    if (i < warmup) continue
    latencies.push(ms)
    sampleReplies[line] ??= reply.text.slice(0, 200)
    if (REFUSED.test(reply.text)) unexpected++
  }
  return { commands: lines, count, latency: summarize(latencies), sampleReplies, unexpectedReplies: unexpected, note }
}

/**
 * Figure 4b: AuditLog.append in a loop on a temporary database (each append its own committed write
 * transaction, as in the router), bounded by count and time; then the chain is verified once.
 */
export function auditRatePhase(o: { maxEntries: number; maxSeconds: number }): AuditRateResult {
  const dir = workDir('audit')
  const { db, stores } = openStores({ db: join(dir, 'audit.db'), auditKey: 'bench-audit-key-0123456789abcdef' })
  try {
    const start = performance.now()
    const stopAt = start + o.maxSeconds * 1000
    let entries = 0
    while (entries < o.maxEntries && (entries % 256 !== 0 || performance.now() < stopAt)) {
      stores.audit.append({
        actor: BENCH_OPERATOR.name,
        channel: 'dingtalk',
        action: 'disable-skill',
        args: { skill: 'ping', reason: `bench ${entries}` },
        outcome: 'executed',
      })
      entries++
    }
    const seconds = (performance.now() - start) / 1000
    const v0 = performance.now()
    const verified = stores.audit.verify()
    const verifyMs = performance.now() - v0
    return {
      entries,
      seconds: Math.round(seconds * 1000) / 1000,
      perSecond: Math.round(entries / seconds),
      verifyMs: Math.round(verifyMs),
      verified: verified.ok && verified.count === entries,
    }
  } finally {
    db.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
