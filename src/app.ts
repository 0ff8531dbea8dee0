import type { Server } from 'node:http'
import { Announcer } from './announcer.js'
import { textsFor } from './i18n/catalogue.js'
import { CommandRegistry } from './command-registry.js'
import { ConfigError, type Operator, type RouterConfig, type RouterMode } from './config.js'
import { floorProblem } from './budget/floor.js'
import { effectiveBudget } from './budget/resolve.js'
import type { Services } from './context.js'
import type { CommandDefinition, SkillDefinition } from './define.js'
import { CardCallbackHandler } from './cards/card-callback.js'
import { createCardServices } from './cards/cards.js'
import { OpenApiClient } from './dingtalk/openapi.js'
import { MessageFiles } from './dingtalk/message-files.js'
import { ReplySender } from './dingtalk/reply.js'
import { StreamConnection } from './dingtalk/stream.js'
import { createEgressFactory } from './egress/factory.js'
import { createModelGateway } from './model/client.js'
import { warmTokenizer } from './budget/tokenizer.js'
import { ResponseCache } from './model/response-cache.js'
import { createOpenClawHub } from './openclaw/hub.js'
import { startHttpServer } from './http/server.js'
import { createJobs } from './jobs/index.js'
import { expireOrphanedRequests } from './jobs/expire-approvals.js'
import { logAuditHead } from './jobs/audit-head.js'
import { scheduleJobs } from './jobs/scheduler.js'
import type { LoggerHandle } from './logger.js'
import { createMetrics, primeSeries } from './metrics.js'
import { UNROUTED } from './router/message-context.js'
import { parseDuration } from './duration.js'
import { Inbound } from './router/inbound.js'
import { createPipeline } from './router/pipeline.js'
import { SkillRegistry } from './skill-registry.js'
import { collectStatus } from './status.js'
import { openStores } from './store/open.js'
import { checkpointFailureText } from './store/checkpoint-failure.js'
import { type CheckpointRow, WalGuard } from './store/wal-guard.js'
import { recordStartEvents } from './system-events.js'
import { recordUndelivered } from './undelivered-replies.js'
import { recordStartupDeploy } from './admin/deploy-record.js'
import { errorMessage } from './errors.js'
import { releaseIdentity } from './version.js'

// Wires one router: stores, registries, egress, the DingTalk clients, the pipeline, HTTP and jobs.

/** Files a skill may fetch from a message: enough for a screenshot or a log bundle, not a video archive. */
const MAX_MESSAGE_FILE_BYTES = 20 * 1024 * 1024

export interface AppOptions {
  logger: LoggerHandle
  skills: SkillDefinition<unknown>[]
  commands: CommandDefinition<unknown>[]
  now?: () => number
  /** Disable the node-cron jobs (tests run jobs by hand with a fake clock). */
  jobs?: boolean
  /** `simulator` when `config.dingtalk` points at the built-in simulator; shown in /ready and /status. */
  mode?: RouterMode
  /** The WAL's PASSIVE checkpoint; tests pass one that fails the way a failing disk does. */
  walCheckpoint?: () => CheckpointRow
}

export interface RouterApp {
  services: Services
  stream: StreamConnection
  inbound: Inbound
  announcer: Announcer
  http?: Server
  start(): Promise<void>
  stop(reason?: string): Promise<void>
}

/**
 * Wires one router: stores, registries, egress, the DingTalk clients, the pipeline, HTTP and jobs.
 * Registries throw on bad definitions here, before anything connects.
 */
export function createRouterApp(config: RouterConfig, opts: AppOptions): RouterApp {
  const { logger: log, addSecret } = opts.logger
  const now = opts.now ?? Date.now
  const metrics = createMetrics()
  const skills = new SkillRegistry(opts.skills)
  const commands = new CommandRegistry(opts.commands)
  // A misspelt name would leave a risky skill running through an incident, or a command running without the
  // second operator the config asks for, so it stops the start instead (every such name in one message).
  const namingProblems: string[] = []
  const unknownRisky = config.incident.riskySkills.filter((name) => !skills.get(name))
  if (unknownRisky.length > 0) {
    namingProblems.push(
      `incident.riskySkills: no skill named ${unknownRisky.join(', ')} (known: ${skills.skills.map((d) => d.name).join(', ')})`,
    )
  }
  const unknownRequired = Object.keys(config.approvals.require).filter((name) => !commands.get(name))
  if (unknownRequired.length > 0) {
    namingProblems.push(
      `approvals.require: no command named ${unknownRequired.map((k) => JSON.stringify(k.slice(0, 64))).join(', ')} (known, written without the /: ${commands.commands.map((d) => d.name).join(', ')})`,
    )
  }
  if (namingProblems.length > 0) throw new ConfigError(namingProblems)
  // Said at start, not first learnt from a refused press in the middle of an incident (card-callback.ts).
  if (config.cards.approvalTemplateId && !config.dingtalk.corpId)
    log.warn(
      'approval cards are on but dingtalk.corpId (DINGTALK_CORP_ID) is not set: every card press will be refused, as it cannot be checked against our org; /approve <id> still works',
    )
  // Every route a message can be counted under is present at 0 from the first scrape, so an alert's rate()
  // sees the first failure: the skills, and `unrouted` (a stale answer to a text that names nothing).
  primeSeries(metrics, [...skills.skills.map((d) => d.name), UNROUTED])
  const stores = openStores(config, now)
  // A runtime state version nobody audited is ignored; say so loudly (logged, announced, in /status).
  stores.stores.state.onUnattested = (v) => {
    log.warn(
      { version: v.version, actor: v.actor, createdAt: v.createdAt },
      'runtime state version ignored: no audit entry commits to it (written outside the router?)',
    )
    // Later, outside whatever transaction is reading the state now.
    setImmediate(() => {
      try {
        stores.stores.outbox.add(
          `Runtime state v${v.version} (claims actor "${v.actor.slice(0, 64)}") was written outside the audit trail: no audit entry commits to it, so it is IGNORED. Check who wrote to the database; /status lists ignored versions.`,
          now(),
        )
      } catch (err) {
        log.error({ err: errorMessage(err) }, 'could not announce an ignored runtime state version')
      }
    })
  }
  const mode = opts.mode ?? 'dingtalk'
  metrics.walBytes.set(0)
  const wal = new WalGuard(stores.db, config.db, {
    limitBytes: config.sqlite.walLimitBytes,
    warnBytes: config.sqlite.walWarnBytes,
    busyTimeoutMs: config.sqlite.busyTimeoutMs,
    onSize: (bytes) => metrics.walBytes.set(bytes),
    checkpointPassive: opts.walCheckpoint,
    now,
    log,
  })
  addSecret(stores.auditKey.toString('utf8'))
  addSecret(config.model.apiKey)
  addSecret(config.openclaw.gatewayToken)
  addSecret(config.openclaw.gatewayPassword)
  const clientId = config.dingtalk.clientId ?? ''
  const clientSecret = config.dingtalk.clientSecret ?? ''
  const openapi = new OpenApiClient({
    apiBase: config.dingtalk.apiBase,
    appKey: clientId,
    appSecret: clientSecret,
    robotCode: config.dingtalk.robotCode ?? clientId,
    log,
    onToken: addSecret,
  })
  const egress = createEgressFactory({
    allowHttpLoopback: config.egress.allowHttpLoopback,
    defaultTimeoutMs: config.egress.timeoutMs,
    maxResponseBytes: config.egress.maxResponseBytes,
    breaker: {
      consecutiveFailures: config.egress.breakerFailures,
      halfOpenAfterMs: parseDuration(config.egress.breakerHalfOpenAfter),
    },
    onRefusal: (e) => {
      metrics.egressRefusals.inc({ route: e.route, reason: e.code })
      stores.stores.events.record(
        { route: e.route, code: `egress-${e.code}`, message: `${e.destination}: ${e.message}` },
        now(),
      )
    },
    onBreakerChange: (destination, state) => metrics.breakerState.set({ destination }, state === 'open' ? 1 : 0),
    log,
  })
  const identity = releaseIdentity()
  const recordReplyEvent = recordUndelivered(stores.stores.events, now)
  let stream: StreamConnection
  const services: Services = {
    config,
    now,
    log,
    metrics,
    ...stores.stores,
    replies: new ReplySender({
      webhookHosts: config.dingtalk.webhookHosts,
      openapi,
      log,
      now,
      onRetry: () => metrics.replyRetries.inc(),
      onUndelivered: (report) => {
        metrics.replyGiveUps.inc()
        recordReplyEvent(report)
      },
    }),
    messageFiles: new MessageFiles(openapi, {
      maxBytes: MAX_MESSAGE_FILE_BYTES,
      // Only the simulator serves files over plain HTTP, and only on loopback.
      allowHttpLoopback: new URL(config.dingtalk.apiBase).protocol === 'http:',
    }),
    skills,
    commands,
    egress,
    model: createModelGateway(config.model, {
      metrics,
      events: stores.stores.events,
      modelUsage: stores.stores.modelUsage,
      now,
      cache: new ResponseCache(stores.db, parseDuration(config.model.cacheTtl) ?? 600_000),
    }),
    openclaw: createOpenClawHub(config, {
      db: stores.db,
      identitySecret: stores.auditKey,
      metrics,
      events: stores.stores.events,
      modelUsage: stores.stores.modelUsage,
      now,
    }),
    operators: new Map<string, Operator>(config.operators.map((o) => [o.staffId, o])),
    runtime: {
      ...identity,
      startedAt: now(),
      streamState: () => stream.state,
      readiness: () => readiness(services, stream, stores.migrationsCurrent, wal),
      mode,
      database: () => wal.facts(),
    },
  }
  services.cards = createCardServices(config, {
    db: stores.db,
    approvals: services.approvals,
    operators: services.operators,
    auditKey: stores.auditKey,
    tokens: openapi.tokens,
    now,
    log,
    events: stores.stores.events,
  })
  const approvalCards = services.cards?.approvals
  const cardClicks = approvalCards
    ? new CardCallbackHandler({
        services,
        cards: approvalCards,
        post: async (conversationId, content) => {
          await openapi.sendToGroup(conversationId, content)
        },
      })
    : undefined
  const inbound = new Inbound(services, createPipeline(config))
  metrics.queueSource.facts = () => inbound.queueFacts()
  metrics.outboxSource.backlog = () => services.outbox.backlog()
  services.runtime.queue = () => inbound.queueFacts()
  stream = new StreamConnection({
    clientId,
    clientSecret,
    gatewayUrl: config.dingtalk.gatewayUrl,
    log,
    accept: inbound.accept,
    livenessIntervalMs: config.dingtalk.livenessIntervalMs,
    reconnectBaseMs: config.dingtalk.reconnectBaseMs,
    reconnectMaxMs: config.dingtalk.reconnectMaxMs,
    onAck: (seconds) => metrics.ackLatency.observe(seconds),
    onCardCallback: cardClicks ? (data) => cardClicks.handle(data) : undefined,
  })
  stream.on('state', (state) => metrics.streamConnected.set(state === 'connected' ? 1 : 0))
  stream.on('frame-error', () => metrics.malformedFrames.inc())
  const announcer = new Announcer({
    outbox: services.outbox,
    events: services.events,
    openapi,
    adminConversations: config.adminConversations,
    log,
    now,
    isConnected: () => stream.connected,
    head: () => services.audit.head(),
    title: textsFor(config.locale).actions.noticeTitle,
  })
  let stopJobs: (() => Promise<void>) | undefined

  const app: RouterApp = {
    services,
    stream,
    inbound,
    announcer,
    async start() {
      await skills.measurePrompts()
      checkBudgetFloors(services)
      recordStartEvents(services, stores.auditKey)
      // Judged against the present: a request from someone who is no operator any more can never be approved.
      expireOrphanedRequests(services, now(), 'system')
      logAuditHead(services, now())
      try {
        recordStartupDeploy(services)
      } catch (err) {
        // A digest we cannot record costs the deploy history, never the start.
        log.warn({ err: errorMessage(err) }, 'could not record the deploy event; check IMAGE_DIGEST')
      }
      app.http = await startHttpServer({
        host: config.http.host,
        port: config.http.port,
        allowPublic: config.http.allowPublic,
        mode,
        log,
        registry: metrics.registry,
        status: () => collectStatus(services, now()),
        readiness: () => readiness(services, stream, stores.migrationsCurrent, wal),
      })
      wal.start()
      stream.start()
      announcer.start()
      if (opts.jobs !== false) stopJobs = scheduleJobs(createJobs(services), { log, now })
      inbound.resumePending()
      // After the first messages have a chance to run: the rank table takes a noticeable moment to parse.
      setTimeout(warmTokenizer, 1000).unref()
    },
    async stop(reason = 'shutdown') {
      const { unfinished } = await inbound.drain(config.shutdownGraceMs)
      if (unfinished > 0)
        log.warn({ unfinished }, 'stopping with messages still in flight; they resume on the next start')
      await stopJobs?.()
      await cardClicks?.settled()
      wal.stop()
      await announcer.stop()
      await stream.stop()
      await new Promise<void>((resolve) => (app.http ? app.http.close(() => resolve()) : resolve()))
      app.http?.closeAllConnections?.()
      try {
        // Refusals counted in the current minute go on the record before the stop entry.
        services.refusals.flush(now(), { all: true })
        services.audit.append({
          actor: 'router',
          channel: 'system',
          action: 'stop',
          args: { reason },
          outcome: 'executed',
        })
        logAuditHead(services, now())
      } catch (err) {
        log.error({ err: (err as Error).message }, 'could not audit the stop')
      }
      stores.db.close()
    },
  }
  return app
}

/**
 * A configured budget below a route's fixed prompt would refuse every question: a configuration error. A
 * runtime override below it (set before the check existed) is only logged: an operator lowers or raises it.
 */
function checkBudgetFloors(s: Services): void {
  const problems: string[] = []
  for (const def of s.skills.skills) {
    const floor = s.skills.promptFloor(def.name)
    const configured = effectiveBudget(s.config, { budgets: {} }, def.name).limits
    // A configuration error and a log line: English, like every other start-up message.
    const problem = floorProblem(def.name, floor, configured, textsFor('en'))
    if (problem) problems.push(`budgets (route ${def.name}): ${problem}`)
    const runtime = floorProblem(
      def.name,
      floor,
      effectiveBudget(s.config, s.state.current().state, def.name).limits,
      textsFor('en'),
    )
    if (runtime && !problem)
      s.log.warn({ route: def.name }, `runtime budget: ${runtime}; change it with /budget or routerctl budget set`)
  }
  if (problems.length > 0) throw new ConfigError(problems)
}

/**
 * The database is ready when a write commits and its WAL reaches the database file: commits are not synced
 * one by one, so a disk that fails its fsyncs shows only in the checkpoint.
 */
function readiness(s: Services, stream: StreamConnection, migrationsCurrent: () => boolean, wal: WalGuard) {
  let dbWritable = false
  let dbDetail: string | undefined
  try {
    s.usage.probeWrite()
    const failure = wal.failure()
    if (failure) dbDetail = checkpointFailureText(failure)
    else dbWritable = true
  } catch (err) {
    dbDetail = (err as Error).message
  }
  const migrations = migrationsCurrent()
  const checks = {
    stream: { ok: stream.connected, detail: stream.state },
    database: { ok: dbWritable, detail: dbDetail },
    migrations: { ok: migrations },
  }
  return { ready: stream.connected && dbWritable && migrations, checks }
}
