import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DingTalkSimulator } from '../../src/simulator/index.js'
import { BARE_ENTRY, FLOOR_ENTRY, ROUTER_ENTRY, ROUTER_LAUNCHER, SutChild } from './child.js'
import { simulatorEnv } from '../../src/simulator/router-env.js'

/** The operator and admin group the admin-latency phase speaks as. */
export const BENCH_OPERATOR = { staffId: 'bench-op1', name: 'bench-operator' }
export const BENCH_OPS_GROUP = 'cid-bench-ops'

/**
 * The router's YAML for the bench. The generator rotates 50 senders at up to a few thousand msg/s, so the
 * per-user limits are raised (the rate-limit step still runs on every message; it just never trips). The
 * admin phase sends 200+ commands within seconds, past the operators' own 120 a minute, so that limit is
 * raised too (past it the router gives one notice, then drops and audits: no reply to time).
 * `enable-skill` is waived from approval so the admin phase can alternate disable/enable and time the
 * executed path (approval is excluded from that figure by definition).
 */
const BENCH_CONFIG = `# written by test/bench for one run
limits:
  perUserPerMinute: 10000
  perConversationPerMinute: 100000
  operatorPerMinute: 10000
approvals:
  require:
    enable-skill: false
`

/**
 * A simulator over loopback with redelivery off, so a slow ack never doubles the load, and replies not
 * kept (the bench reads them from the `reply` event), so the generator's own memory stays flat.
 */
export async function startSimulator(): Promise<DingTalkSimulator> {
  const sim = new DingTalkSimulator({ redeliveryDelayMs: 10 * 60_000, redeliveryCount: 0, recordReplies: false })
  await sim.start()
  return sim
}

const workDirs: string[] = []

/** A fresh temporary folder for one child's database, config and log. */
export function workDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `router-bench-${label}-`))
  workDirs.push(dir)
  return dir
}

/** Removes every folder made by {@link workDir} (call after the children have exited). */
export function removeWorkDirs(): void {
  for (const dir of workDirs.splice(0)) rmSync(dir, { recursive: true, force: true })
}

/**
 * The router child: the real app (real skills and commands plus the bench-only `sleep` skill), its SQLite
 * inbox, audit and metrics, at LOG_LEVEL=warn so log formatting does not dominate what is measured. Started
 * through `bin/router-node.sh` like the image and `npm run start:prod`, so with production's node flags.
 */
export async function startRouterChild(
  sim: DingTalkSimulator,
  label: string,
  cpuProfDir?: string,
  nodeArgs?: string[],
  entry = ROUTER_ENTRY,
): Promise<SutChild> {
  const dir = workDir(label)
  const configFile = join(dir, 'router.yaml')
  writeFileSync(configFile, BENCH_CONFIG)
  return SutChild.start({
    label,
    entry,
    logFile: join(dir, 'child.log'),
    cpuProfDir,
    nodeArgs,
    launcher: ROUTER_LAUNCHER,
    env: {
      ...simulatorEnv(sim),
      ROUTER_CONFIG: configFile,
      ROUTER_DB: join(dir, 'router.db'),
      ROUTER_HTTP_PORT: '0',
      ROUTER_OPERATORS: `${BENCH_OPERATOR.staffId}:${BENCH_OPERATOR.name}`,
      ROUTER_ADMIN_CONVERSATIONS: BENCH_OPS_GROUP,
      LOG_LEVEL: 'warn',
    },
  })
}

/**
 * The durable floor: the bare client with the router's durable intake (inbox group commit before the ack,
 * completion after the reply) and nothing else; see floor-entry.ts.
 */
export function startFloorChild(sim: DingTalkSimulator, label: string, cpuProfDir?: string): Promise<SutChild> {
  return startReferenceChild(FLOOR_ENTRY, sim, label, cpuProfDir, (dir) => ({ ROUTER_DB: join(dir, 'floor.db') }))
}

/** The bare dingtalk-stream client child: ack, then POST `pong`, nothing else. */
export function startBareChild(sim: DingTalkSimulator, label: string, cpuProfDir?: string): Promise<SutChild> {
  return startReferenceChild(BARE_ENTRY, sim, label, cpuProfDir)
}

/** A reference bot (run from source with tsx, V8's default flags) in a fresh folder of its own. */
function startReferenceChild(
  entry: string,
  sim: DingTalkSimulator,
  label: string,
  cpuProfDir: string | undefined,
  env: (dir: string) => Record<string, string> = () => ({}),
): Promise<SutChild> {
  const dir = workDir(label)
  return SutChild.start({
    label,
    entry,
    logFile: join(dir, 'child.log'),
    cpuProfDir,
    env: { ...simulatorEnv(sim), ...env(dir) },
  })
}
