import { join } from 'node:path'
import { type AppOptions, createRouterApp, type RouterApp } from '../../src/app.js'
import { loadConfig, type RouterConfig } from '../../src/config.js'
import type { CommandDefinition, SkillDefinition } from '../../src/define.js'
import {
  DingTalkSimulator,
  type RecordedReply,
  type SimMessageInput,
  type SimulatorOptions,
} from '../../src/simulator/index.js'
import { commands as realCommands } from '../../commands/index.js'
import { createSkills } from '../../skills/index.js'
import type { Cleanup } from './cleanup.js'
import { captureLogs, type CapturedLogs } from './log-capture.js'
import { simulatorEnv } from '../../src/simulator/router-env.js'
import { PATIENCE } from './patience.js'
import { tempDir } from './temp-dir.js'
import { waitForState } from './waits.js'

/** Secrets used by every test router; the suite-wide scan checks none of them reaches a log line. */
export const TEST_SECRETS = {
  clientId: 'test-client-id-6b1f2c',
  clientSecret: 'test-client-secret-Q9x7Lm2Pz4',
  auditKey: 'test-audit-key-0f9e8d7c6b5a4f3e',
  openclawGatewayToken: 'oc-test-gateway-token-T4k3nZ81',
}

export const OPS = 'cid-ops'
export const OP1 = { staffId: 'op1', name: 'alice' }
export const OP2 = { staffId: 'op2', name: 'bob' }
/** A third operator, for tests where the requester is neither of the two approvers. */
export const OP3 = { staffId: 'op3', name: 'carol' }
/** `ROUTER_OPERATORS` with all three operators. */
export const THREE_OPERATORS = [OP1, OP2, OP3].map((o) => `${o.staffId}:${o.name}`).join(',')

export interface TestRouterOptions {
  sim?: DingTalkSimulator
  simOptions?: SimulatorOptions
  dir?: string
  env?: Record<string, string>
  skills?: SkillDefinition<unknown>[]
  commands?: CommandDefinition<unknown>[]
  /** Adjust the loaded config (timings, limits) before the app is built. */
  configure?: (c: RouterConfig) => RouterConfig
  now?: () => number
  /** Wait for the stream to connect before returning (default true). */
  connect?: boolean
  /** Replaces the WAL's PASSIVE checkpoint (a failing disk). */
  walCheckpoint?: AppOptions['walCheckpoint']
}

export interface TestRouter {
  app: RouterApp
  sim: DingTalkSimulator
  config: RouterConfig
  logs: CapturedLogs
  dir: string
  dbPath: string
  httpUrl: string
  /** Sends a message and resolves with the first reply to it (waiting up to {@link PATIENCE}). */
  say(input: SimMessageInput | string, timeoutMs?: number): Promise<RecordedReply>
  /** An operator's command in the ops group. */
  command(text: string, operator?: { staffId: string }, timeoutMs?: number): Promise<RecordedReply>
  stop(): Promise<void>
}

/**
 * A started simulator that accepts the test credentials, stopped by `cleanup` when the test ends: for tests
 * that hand one simulator to several routers, or to a spawned router.
 * @example const sim = await startSimulator(cleanup, { redeliveryDelayMs: 200 })
 */
export async function startSimulator(cleanup: Cleanup, opts: SimulatorOptions = {}): Promise<DingTalkSimulator> {
  const sim = cleanup.add(
    new DingTalkSimulator({ clientId: TEST_SECRETS.clientId, clientSecret: TEST_SECRETS.clientSecret, ...opts }),
    (s) => s.stop(),
  )
  await sim.start()
  return sim
}

/**
 * Builds the real router (config loader, SQLite file, real SDK) against a simulator over loopback; resolves
 * once the stream is connected (unless `connect: false`), and stops what it started when it cannot connect.
 * @example const r = await startTestRouter(); expect((await r.say('ping')).text).toBe('pong')
 */
export async function startTestRouter(opts: TestRouterOptions = {}): Promise<TestRouter> {
  const ownSim = !opts.sim
  const sim =
    opts.sim ??
    new DingTalkSimulator({
      clientId: TEST_SECRETS.clientId,
      clientSecret: TEST_SECRETS.clientSecret,
      ...opts.simOptions,
    })
  if (ownSim) await sim.start()
  const dir = opts.dir ?? tempDir()
  const dbPath = join(dir, 'router.db')
  const env = {
    ...simulatorEnv(sim),
    ROUTER_OPERATORS: `${OP1.staffId}:${OP1.name},${OP2.staffId}:${OP2.name}`,
    ROUTER_ADMIN_CONVERSATIONS: OPS,
    ROUTER_DB: dbPath,
    ROUTER_HTTP_PORT: '0',
    ROUTER_AUDIT_KEY: TEST_SECRETS.auditKey,
    LOG_LEVEL: 'debug',
    ...opts.env,
  }
  let config = loadConfig(env, undefined)
  config = {
    ...config,
    dingtalk: { ...config.dingtalk, reconnectBaseMs: 50, reconnectMaxMs: 500, livenessIntervalMs: 2000 },
    shutdownGraceMs: 3000,
  }
  if (opts.configure) config = opts.configure(config)
  const logs = captureLogs({ secrets: [sim.clientSecret, TEST_SECRETS.auditKey] })
  const app = createRouterApp(config, {
    logger: logs.handle,
    skills: opts.skills ?? createSkills(config),
    commands: opts.commands ?? realCommands,
    now: opts.now,
    jobs: false,
    walCheckpoint: opts.walCheckpoint,
  })
  await app.start()
  const stop = async () => {
    await app.stop('test')
    if (ownSim) await sim.stop()
  }
  if (opts.connect !== false) {
    try {
      await waitForState(app, 'connected')
    } catch (err) {
      await stop()
      throw err
    }
  }
  const address = app.http?.address()
  const httpUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  const say = async (input: SimMessageInput | string, timeoutMs = PATIENCE) => {
    const sent = sim.sendMessage(typeof input === 'string' ? { text: input } : input)
    return sim.waitForReply({ msgId: sent.msgId }, timeoutMs)
  }
  let stopped = false
  return {
    app,
    sim,
    config,
    logs,
    dir,
    dbPath,
    httpUrl,
    say,
    command: (text, operator = OP1, timeoutMs) =>
      say({ text, senderStaffId: operator.staffId, conversationId: OPS }, timeoutMs),
    async stop() {
      if (stopped) return
      stopped = true
      await stop()
    },
  }
}

/**
 * A reply's text without the line of `@staffId` tags a group reply ends with (the ones in its
 * `at.atUserIds`), for assertions about what was said rather than whom it mentions.
 * @example expect(withoutMentions(await r.command('/pending'))).toBe('No approval requests are open.')
 */
export function withoutMentions(reply: RecordedReply): string {
  const ids = reply.atUserIds ?? []
  if (ids.length === 0) return reply.text
  const tag = ids.map((id) => `@${id}`).join(' ')
  for (const sep of ['\n\n', '\n']) if (reply.text.endsWith(sep + tag)) return reply.text.slice(0, -(sep + tag).length)
  return reply.text
}

/**
 * For afterEach: checks the audit chain still verifies, then always stops the router.
 * @example afterEach(async () => { await verifyAndStop(r); r = undefined })
 */
export async function verifyAndStop(r: TestRouter | undefined): Promise<void> {
  try {
    const verified = r?.app.services.audit.verify()
    if (verified && !verified.ok) throw new Error(`audit chain does not verify: ${JSON.stringify(verified)}`)
  } finally {
    await r?.stop()
  }
}

/** Every audit entry of one approval request (requested, approved or denied, executed), in order. */
export function approvalTrail(r: TestRouter, approvalId: string) {
  return [...r.app.services.audit.entries()].filter((e) => e.approvalId === approvalId)
}
