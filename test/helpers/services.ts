/**
 * The services of one router, as `createRouterApp` wires them, on a fresh SQLite file, without the DingTalk
 * side: real stores, registries, metrics, egress and config; only the reply sender is faked, at the boundary
 * (it records what would go to DingTalk). For jobs, admin actions and single middlewares driven directly.
 */
import { join } from 'node:path'
import { commands as realCommands } from '../../commands/index.js'
import { CommandRegistry } from '../../src/command-registry.js'
import { loadConfig, type Operator, type RouterConfig } from '../../src/config.js'
import type { RuntimeFacts, Services } from '../../src/context.js'
import type { CommandDefinition, ReplyContent, SkillDefinition } from '../../src/define.js'
import type { InboundMessage } from '../../src/dingtalk/message.js'
import { MessageFiles } from '../../src/dingtalk/message-files.js'
import { OpenApiClient } from '../../src/dingtalk/openapi.js'
import { ReplySender, type ReplyOptions, type ReplyOutcome } from '../../src/dingtalk/reply.js'
import { createEgressFactory } from '../../src/egress/factory.js'
import { createMetrics } from '../../src/metrics.js'
import { SkillRegistry } from '../../src/skill-registry.js'
import { openStores } from '../../src/store/open.js'
import { captureLogs } from './log-capture.js'
import { OP1, OP2, TEST_SECRETS } from './router.js'
import { tempDir } from './temp-dir.js'

/** One reply the router handed to DingTalk. */
export interface SentReply {
  msg: InboundMessage
  content: ReplyContent
  options: ReplyOptions
}

/** The reply sender with DingTalk cut off: records every reply and answers `outcome` (default `sent`). */
class RecordedReplies extends ReplySender {
  readonly sent: SentReply[] = []
  outcome: ReplyOutcome = 'sent'

  override async send(msg: InboundMessage, content: ReplyContent, options: ReplyOptions = {}): Promise<ReplyOutcome> {
    this.sent.push({ msg, content, options })
    return this.outcome
  }

  /** The text of every reply so far (a markdown reply's markdown), in order. */
  texts(): string[] {
    return this.sent.map((r) => (typeof r.content === 'string' ? r.content : r.content.markdown))
  }
}

export interface TestServicesOptions {
  now?: () => number
  /** The release digest /status and the jobs report (default `sha256:aaa…`). */
  digest?: string
  env?: Record<string, string>
  configure?: (c: RouterConfig) => RouterConfig
  skills?: SkillDefinition<unknown>[]
  /** Admin commands (default: the real ones in commands/). */
  commands?: CommandDefinition<unknown>[]
  dir?: string
}

/**
 * Builds the services on a fresh database in `dir` (a new temp folder by default).
 * @example const t = testServices({ now: clock.now }); t.services.audit.append(…); t.close()
 */
export function testServices(opts: TestServicesOptions = {}) {
  const now = opts.now ?? Date.now
  const dir = opts.dir ?? tempDir('services-')
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
  const opened = openStores(config, now)
  const logs = captureLogs({ secrets: [TEST_SECRETS.auditKey] })
  const log = logs.handle.logger
  const openapi = new OpenApiClient({
    apiBase: config.dingtalk.apiBase,
    appKey: 'unused',
    appSecret: 'unused',
    robotCode: 'unused',
    log,
  })
  const replies = new RecordedReplies({ webhookHosts: config.dingtalk.webhookHosts, log, now })
  let ready = true
  const runtime: RuntimeFacts = {
    version: '1.2.3',
    digest: opts.digest ?? `sha256:${'a'.repeat(64)}`,
    startedAt: now(),
    streamState: () => 'connected',
    readiness: () => ({ ready, checks: { stream: { ok: ready, detail: ready ? 'connected' : 'connecting' } } }),
  }
  const services: Services = {
    ...opened.stores,
    config,
    now,
    log,
    metrics: createMetrics(),
    replies,
    messageFiles: new MessageFiles(openapi, { maxBytes: 1_000_000 }),
    skills: new SkillRegistry(opts.skills ?? []),
    commands: new CommandRegistry(opts.commands ?? realCommands),
    egress: createEgressFactory({ log }),
    model: undefined,
    operators: new Map<string, Operator>(config.operators.map((o) => [o.staffId, o])),
    runtime,
  }
  return {
    dir,
    config,
    db: opened.db,
    services,
    replies,
    logs,
    setReady: (value: boolean) => (ready = value),
    close: () => opened.db.close(),
  }
}
