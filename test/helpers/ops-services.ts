/**
 * Set-up for the ops tests: the real stores on a temp SQLite file with a
 * fake clock, without the DingTalk side, for jobs and shared actions that need no chat.
 */
import { chmodSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadConfig, type RouterConfig } from '../../src/config.js'
import type { Operator } from '../../src/config.js'
import type { RuntimeFacts } from '../../src/context.js'
import type { SkillDefinition } from '../../src/define.js'
import { createLogger } from '../../src/logger.js'
import { SkillRegistry } from '../../src/skill-registry.js'
import { openStores } from '../../src/store/open.js'
import { OP1, OP2, TEST_SECRETS } from './router.js'
import { tempDir } from './temp-dir.js'

const T0 = Date.parse('2030-03-04T05:06:00.000Z')
export const MIN = 60_000
export const DAY = 86_400_000
export const DIGEST_A = `sha256:${'a'.repeat(64)}`
export const DIGEST_B = `sha256:${'b'.repeat(64)}`

/** A settable clock. */
export function fakeClock(start = T0) {
  let t = start
  return { now: () => t, set: (ms: number) => (t = ms), advance: (ms: number) => (t += ms) }
}

/**
 * Stores, config and runtime facts as the bot has them, on a fresh database.
 * @example const ops = opsServices({ now: clock.now, digest: DIGEST_A })
 */
export function opsServices(opts: {
  now: () => number
  digest?: string
  env?: Record<string, string>
  configure?: (c: RouterConfig) => RouterConfig
  skills?: SkillDefinition<unknown>[]
  dir?: string
}) {
  const dir = opts.dir ?? tempDir('ops-')
  let config = loadConfig(
    {
      ROUTER_DB: join(dir, 'router.db'),
      ROUTER_AUDIT_KEY: TEST_SECRETS.auditKey,
      ROUTER_OPERATORS: `${OP1.staffId}:${OP1.name},${OP2.staffId}:${OP2.name}`,
      ...opts.env,
    },
    undefined,
  )
  if (opts.configure) config = opts.configure(config)
  const opened = openStores(config, opts.now)
  let ready = true
  const runtime: RuntimeFacts = {
    version: '1.2.3',
    digest: opts.digest ?? DIGEST_A,
    startedAt: opts.now(),
    streamState: () => 'connected',
    readiness: () => ({ ready, checks: { stream: { ok: ready, detail: ready ? 'connected' : 'connecting' } } }),
  }
  const services = {
    ...opened.stores,
    config,
    now: opts.now,
    runtime,
    log: createLogger({ level: 'silent' }).logger,
    skills: new SkillRegistry(opts.skills ?? []),
    operators: new Map<string, Operator>(config.operators.map((o) => [o.staffId, o])),
  }
  return {
    dir,
    config,
    db: opened.db,
    services,
    setReady: (value: boolean) => (ready = value),
    close: () => opened.db.close(),
  }
}

/** Writes an executable script into `dir` and returns its path. */
export function script(dir: string, name: string, body: string): string {
  const file = join(dir, name)
  writeFileSync(file, body)
  chmodSync(file, 0o755)
  return file
}
