import cron from 'node-cron'
import { z } from 'zod'
import { parseDuration } from './duration.js'
import { isHttpUrl } from './egress/destination.js'
import { openclawSchema } from './openclaw/settings.js'
import { LOCALES } from './i18n/locale.js'

// The one zod schema of the router's configuration, with every setting's default.

const staffId = z.string().regex(/^[A-Za-z0-9_.$@-]{1,64}$/, 'a staffId is 1–64 letters, digits or _.$@-')
const hostPort = z.string().regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, 'expected host or host:port, e.g. oapi.dingtalk.com')
/**
 * A duration setting, refused past its kind's limit. The kind follows how the router uses the value:
 * a `timer` waits in setTimeout, which Node fires after 1 ms when asked to wait more than 2^31−1 ms
 * (24.8 days), so it stops at a round 24d an operator can type; a `span` becomes an expiry date or a
 * comparison window, kept far inside what a Date can hold.
 */
const DURATION_LIMITS = {
  timer: { ms: 24 * 86_400_000, text: 'at most 24d (a timer cannot wait longer than 2^31−1 ms, about 24.8 days)' },
  span: { ms: 36_500 * 86_400_000, text: 'at most 36500d (100 years)' },
} as const

function duration(kind: keyof typeof DURATION_LIMITS) {
  const limit = DURATION_LIMITS[kind]
  return z.string().superRefine((text, ctx) => {
    const ms = parseDuration(text)
    if (ms === undefined) ctx.addIssue({ code: 'custom', message: 'expected a duration like 90s, 15m, 2h or 1d' })
    else if (ms > limit.ms) ctx.addIssue({ code: 'custom', message: `${text.trim()} is too long: ${limit.text}` })
  })
}
const cronExpr = z.string().refine((s) => cron.validate(s), 'expected a cron expression, e.g. 0 9 * * 1')
const httpUrl = z.string().refine(isHttpUrl, 'expected an http(s) URL')

const budget = z.strictObject({
  maxContextTokens: z.number().int().positive().max(2_000_000),
  maxDiagnosticBytes: z.number().int().positive().max(1_000_000),
  maxToolCalls: z.number().int().min(0).max(100),
})

/** The whole configuration: YAML file (ROUTER_CONFIG), then environment overrides, then these defaults. */
export const configSchema = z.strictObject({
  dingtalk: z
    .strictObject({
      clientId: z.string().trim().min(1, 'must not be empty or blank').optional(),
      clientSecret: z.string().trim().min(1, 'must not be empty or blank').optional(),
      robotCode: z.string().min(1).optional(),
      /** The org whose members may run admin commands; unset → the robot's own (`chatbotCorpId` of each message). */
      corpId: z.string().min(1).max(256).optional(),
      gatewayUrl: httpUrl.default('https://api.dingtalk.com/v1.0/gateway/connections/open'),
      apiBase: httpUrl.default('https://api.dingtalk.com'),
      webhookHosts: z.array(hostPort).min(1).default(['oapi.dingtalk.com']),
      livenessIntervalMs: z.number().int().min(100).max(600_000).default(15_000),
      reconnectBaseMs: z.number().int().min(10).max(60_000).default(1000),
      reconnectMaxMs: z.number().int().min(100).max(600_000).default(30_000),
    })
    .prefault({}),
  operators: z.array(z.strictObject({ staffId, name: z.string().min(1).max(64) })).default([]),
  adminConversations: z.array(z.string().min(1).max(128)).default([]),
  users: z
    .strictObject({
      allow: z.array(z.union([staffId, z.literal('*')])).default(['*']),
      allowExternal: z.boolean().default(false),
    })
    .prefault({}),
  db: z.string().min(1).default('./data/router.db'),
  /** The language of replies, announcements and digests; an end user who writes Chinese is answered in Chinese. */
  locale: z.enum(LOCALES).default('en'),
  /** How the bot's SQLite connection waits for locks and keeps its WAL small (routerctl keeps its own 5 s wait). */
  sqlite: z
    .strictObject({
      /** Longest wait for a lock another process holds; the wait blocks the bot's event loop. */
      busyTimeoutMs: z.number().int().min(0).max(60_000).default(1000),
      /** Wait when storing an arriving message; past it the message stays un-acked and DingTalk redelivers it. */
      hotPathBusyMs: z.number().int().min(0).max(5000).default(100),
      /** journal_size_limit, and the size above which a truncating checkpoint is forced. */
      walLimitBytes: z
        .number()
        .int()
        .min(64 * 1024)
        .max(1024 * 1024 * 1024)
        .default(4 * 1024 * 1024),
      /** Above this /status warns that a reader is holding the WAL open. */
      walWarnBytes: z
        .number()
        .int()
        .min(64 * 1024)
        .max(16 * 1024 * 1024 * 1024)
        .default(64 * 1024 * 1024),
    })
    .prefault({}),
  http: z
    .strictObject({
      host: z.string().min(1).default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8080),
      allowPublic: z.boolean().default(false),
    })
    .prefault({}),
  auditKey: z.string().trim().min(16, 'the audit key must be at least 16 characters').optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  approvals: z
    .strictObject({
      ttl: duration('span').default('15m'),
      /** Per command: true forces a second operator, false waives it; absent keeps the command's own rule. */
      require: z.record(z.string(), z.boolean()).default({}),
    })
    .prefault({}),
  limits: z
    .strictObject({
      perUserPerMinute: z.number().int().min(1).max(10_000).default(20),
      perConversationPerMinute: z.number().int().min(1).max(100_000).default(60),
      /** An operator's messages in an admin conversation: its own, higher limit, so an incident is never throttled. */
      operatorPerMinute: z.number().int().min(1).max(10_000).default(120),
      maxMessageChars: z.number().int().min(16).max(20_000).default(2000),
      dedupRetention: duration('span').default('7d'),
      /** Messages handled at once: the fixed worker pool that takes stored messages from the inbox in arrival order. */
      concurrency: z.number().int().min(1).max(1024).default(64),
      /** Workers one skill (or all admin commands together) may hold at once; unset → half the pool, at least 1. */
      skillConcurrency: z.number().int().min(1).max(1024).optional(),
      /** A message that waited longer than this is answered "this took too long, please ask again" instead. */
      maxQueueAge: duration('span').default('10m'),
    })
    .prefault({}),
  budgets: z
    .strictObject({
      default: budget.default({ maxContextTokens: 4000, maxDiagnosticBytes: 2048, maxToolCalls: 3 }),
      routes: z.record(z.string(), budget.partial()).default({}),
    })
    .prefault({}),
  simulator: z
    .strictObject({
      port: z.number().int().min(0).max(65535).default(8090),
      chatPort: z.number().int().min(0).max(65535).default(8091),
    })
    .prefault({}),
  egress: z
    .strictObject({
      /** host:port loopback destinations that skills may reach over plain HTTP (development and tests). */
      allowHttpLoopback: z.array(hostPort).default([]),
      timeoutMs: z.number().int().min(50).max(60_000).default(3000),
      maxResponseBytes: z
        .number()
        .int()
        .min(1024)
        .max(64 * 1024 * 1024)
        .default(1024 * 1024),
      breakerFailures: z.number().int().min(1).max(100).default(5),
      breakerHalfOpenAfter: duration('timer').default('30s'),
    })
    .prefault({}),
  incident: z
    .strictObject({
      /** How long `/incident on` lasts when no ttl= is given. */
      defaultTtl: duration('span').default('4h'),
      /** The longest ttl= accepted; a longer incident must be switched on again, on purpose. */
      maxTtl: duration('span').default('24h'),
      /** Skills held back during an incident even though they declare `risk: 'read'`. */
      riskySkills: z.array(z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'a skill name (kebab-case)')).default([]),
    })
    .refine((i) => (parseDuration(i.defaultTtl) ?? 0) <= (parseDuration(i.maxTtl) ?? 0), {
      message: 'incident.defaultTtl must not be longer than incident.maxTtl',
      path: ['defaultTtl'],
    })
    .prefault({}),
  services: z
    .strictObject({
      /** The internal status API behind the `service-status` skill; unset → the skill says it is not configured. */
      statusApi: z.strictObject({ baseUrl: httpUrl.optional() }).prefault({}),
    })
    .prefault({}),
  releases: z
    .strictObject({
      /** A release is known-good once ready this long with the 15-minute error rate under maxErrorRate. */
      knownGoodAfter: duration('span').default('10m'),
      maxErrorRate: z.number().min(0).max(1).default(0.05),
      /** argv run (no shell) after a release rollback is recorded; `{digest}` and `{file}` are filled in. */
      rollbackHook: z.array(z.string().min(1)).min(1).optional(),
      hookTimeout: duration('timer').default('60s'),
    })
    .prefault({}),
  audit: z
    .strictObject({
      /** Entries younger than this are never pruned. */
      retentionDays: z.number().int().min(1).max(36_500).default(365),
      retentionSchedule: cronExpr.default('23 3 * * *'),
    })
    .prefault({}),
  accessReview: z
    .strictObject({
      schedule: cronExpr.default('0 9 * * 1'),
      inactiveDays: z.number().int().min(1).max(3650).default(30),
    })
    .prefault({}),
  digest: z
    .strictObject({
      enabled: z.boolean().default(true),
      schedule: cronExpr.default('0 9 * * *'),
    })
    .prefault({}),
  /** The OpenAI-compatible Chat Completions endpoint behind the `ask` skill; no baseUrl+name → ask is off. */
  model: z
    .strictObject({
      /** e.g. https://llm.internal.example/v1; the skill posts to {baseUrl}/chat/completions through its egress client. */
      baseUrl: httpUrl.optional(),
      name: z.string().min(1).max(128).optional(),
      /** Also MODEL_API_KEY or MODEL_API_KEY_FILE; sent as a Bearer token, never logged. */
      apiKey: z.string().min(1).optional(),
      /** Shown before every answer; simulator mode sets "[local stand-in model]". */
      label: z.string().min(1).max(64).optional(),
      timeoutMs: z.number().int().min(100).max(120_000).default(20_000),
      /** Upper bound of one answer, in tokens (max_tokens). */
      maxOutput: z.number().int().min(16).max(32_000).default(512),
      cacheTtl: duration('span').default('10m'),
    })
    .refine((m) => Boolean(m.baseUrl) === Boolean(m.name), {
      message: 'model.baseUrl and model.name are set together (or neither: ask stays off)',
      path: ['name'],
    })
    .prefault({}),
  /**
   * DingTalk interactive cards. Each template id comes from the card platform of the developer console
   * (README, "Cards"); unset keeps the markdown messages.
   */
  cards: z
    .strictObject({
      /** Approval requests become a card with Approve/Deny buttons (callback over Stream). */
      approvalTemplateId: z.string().min(1).max(128).optional(),
      /** `ask` streams its answer into an AI card of this template. */
      streamingTemplateId: z.string().min(1).max(128).optional(),
      /** The template variable the streamed answer goes into. */
      streamingKey: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'a card variable name')
        .default('content'),
      /** At most one streaming update per this many ms; the text in between is merged into the next one. */
      streamingIntervalMs: z.number().int().min(0).max(10_000).default(300),
    })
    .prefault({}),
  /** OpenClaw Gateway agents as skills, one per `routes.<name>` (see README "OpenClaw behind the router"). */
  openclaw: openclawSchema,
  /** The usage-drift job: last hour against the 24 hours before it, per route. */
  drift: z
    .strictObject({
      schedule: cronExpr.default('*/15 * * * *'),
      /** Alert when the last hour is this many times the baseline (prompt size, p95 latency, tool calls). */
      ratio: z.number().min(1.1).max(1000).default(2),
      /** Requests needed in both windows before a route is judged. */
      minSamples: z.number().int().min(1).max(1_000_000).default(20),
      /** The same route and measure alerts again only after this long. */
      cooldown: duration('span').default('6h'),
    })
    .prefault({}),
  shutdownGraceMs: z.number().int().min(0).max(120_000).default(10_000),
})

export type RouterConfig = z.infer<typeof configSchema>
