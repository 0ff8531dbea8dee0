import type { Operator, RouterConfig, RouterMode } from './config.js'
import type { InboundMessage } from './dingtalk/message.js'
import type { ReplyContent } from './define.js'
import type { ReplySender } from './dingtalk/reply.js'
import type { MessageFiles } from './dingtalk/message-files.js'
import type { Logger } from './logger.js'
import type { Metrics } from './metrics.js'
import type { AuditLog } from './store/audit.js'
import type { RefusalTally } from './store/refusals.js'
import type { InboxStore } from './store/inbox.js'
import type { OutboxStore } from './store/outbox.js'
import type { UsageStore } from './store/usage.js'
import type { KvStore } from './store/kv.js'
import type { EventStore } from './store/events.js'
import type { ModelUsageStore } from './store/model-usage.js'
import type { ModelGateway } from './model/client.js'
import type { OpenClawHub } from './openclaw/hub.js'
import type { BudgetLimits } from './budget/resolve.js'
import type { StateStore, StateVersion } from './store/state.js'
import type { WalFacts } from './store/wal-guard.js'
import type { ReleaseStore } from './store/releases.js'
import type { ReadinessCheck } from './http/server.js'
import type { SkillRegistry } from './skill-registry.js'
import type { CommandRegistry } from './command-registry.js'
import type { ApprovalStore } from './store/approvals.js'
import type { EgressFactory } from './egress/client.js'
import type { CommandParse, ParsedCommand } from './router/command-parser.js'
import type { CommandDefinition, SkillDefinition } from './define.js'
import type { CardServices } from './cards/cards.js'
import type { Locale } from './i18n/locale.js'
import type { Texts } from './i18n/catalogue.js'

/** The long-lived parts every message may use, built once in main.ts. */
export interface Services {
  config: RouterConfig
  now: () => number
  log: Logger
  metrics: Metrics
  inbox: InboxStore
  audit: AuditLog
  /** Refused `/…` attempts counted per sender and minute, then audited once with the count. */
  refusals: RefusalTally
  state: StateStore
  outbox: OutboxStore
  usage: UsageStore
  kv: KvStore
  events: EventStore
  /** Model usage per route and minute, and per-request samples for the drift job. */
  modelUsage: ModelUsageStore
  /** The configured model; undefined when none is (the `ask` skill then says so). */
  model: ModelGateway | undefined
  /** The OpenClaw routes' sessions and identity; undefined when no `openclaw.routes` are configured. Optional for hand-built services. */
  openclaw?: OpenClawHub
  approvals: ApprovalStore
  /** Deploy events, known-good marks and desired releases. */
  releases: ReleaseStore
  replies: ReplySender
  /** Fetches the files users send (skills that declare `attachments` reach it through SkillContext.download). */
  messageFiles: MessageFiles
  skills: SkillRegistry
  commands: CommandRegistry
  egress: EgressFactory
  operators: ReadonlyMap<string, Operator>
  /** DingTalk interactive cards; absent (markdown messages) when no card template is configured. */
  cards?: CardServices
  /** Facts for /status and GET /status that only the running process knows. */
  runtime: RuntimeFacts
}

export interface RuntimeFacts {
  version: string
  digest: string
  startedAt: number
  streamState: () => string
  /** The same checks as GET /ready, from the running process (jobs and /runbook read it). */
  readiness?: () => ReadinessCheck
  /** The message queue: depth, oldest waiting age, busy workers (set once the inbound queue exists). */
  queue?: () => QueueStatus
  /** `simulator` when connected to the built-in stand-in for DingTalk; absent means `dingtalk`. */
  mode?: RouterMode
  /** The WAL's size and, when it is too large, why (from the bot's WAL guard). */
  database?: () => WalFacts
}

/** The message queue as /status shows it. */
export interface QueueStatus {
  depth: number
  oldestWaitSeconds: number
  busyWorkers: number
  workers: number
}

/** Why a message ended where it did; the `outcome` label of router_messages_total. */
export type MessageOutcome =
  | 'pending'
  | 'replied'
  | 'duplicate'
  | 'refused'
  | 'rate-limited'
  | 'unsupported'
  | 'no-match'
  | 'approval-requested'
  | 'error'
  | 'over-budget'
  | 'fallback'
  | 'too-long'
  /** Waited in the queue past `limits.maxQueueAge`; answered "please ask again". */
  | 'stale'

/**
 * Everything one inbound message carries through the pipeline, built once at the edge.
 * Middlewares fill in `route`, `command` and `skill` as they learn them.
 */
export interface Context {
  readonly msg: InboundMessage
  readonly log: Logger
  /** Quoted to the user on an internal error and present in every log line of this message. */
  readonly refId: string
  /** When the message was stored (the inbox's clock), not when a worker took it. */
  readonly receivedAt: number
  /** The runtime state (skill flags, incident mode, budget overrides) read once for this message. */
  readonly state: StateVersion
  readonly services: Services
  /** The language this message is answered in: Chinese for a writer of Chinese, else `config.locale`. */
  readonly locale: Locale
  /** The catalogue's texts in `locale`: every reply to this message is written from them. */
  readonly texts: Texts
  /** The skill or `/command` name once routed; `unrouted` before. */
  route: string
  outcome: MessageOutcome
  /** Set when the text starts with `/`: the split line, not yet trusted (policy decides who may see errors). */
  commandParse?: CommandParse
  /** Set once the sender may command here and the line names a known command. */
  command?: { parsed: ParsedCommand; def: CommandDefinition<unknown>; args: unknown }
  /** Set by the policy step when the sender may run admin commands here. */
  operator?: Operator
  skill?: { def: SkillDefinition<unknown>; rawArgs: Record<string, string | undefined> }
  /** Set by the budget step for a skill route: the limits that apply, and the text's tokens when they were counted. */
  budget?: { limits: BudgetLimits; textTokens?: number }
  replyCount: number
  /** staffIds the replies to this message @-mention besides the sender (groups only). */
  readonly mentions: Set<string>
  /**
   * Set when something this message needed failed even though the user may have got an answer: the skill's
   * call (answered from its fallback, or refused by an open breaker) or the delivery of a reply. observe()
   * counts such a message as an error of its route, whatever its outcome.
   */
  failure?: 'skill-failed' | 'breaker-open' | 'reply-undelivered'
  reply(content: ReplyContent): Promise<void>
}

/** What an admin command handler may use. */
export interface CommandContext {
  operator: Operator
  channel: 'dingtalk' | 'cli'
  conversationId: string
  services: Services
  log: Logger
  /** @-mentions this staffId in the reply (chat only; the CLI has no mentions). */
  mention?(staffId: string): void
  /**
   * A self-audited command (/approve) says the router could not carry out what was decided (the approved
   * action or its follow-up failed): the message is then an error of its route, like a failed command.
   */
  markFailed?(): void
  /**
   * The catalogue in `config.locale`, the admin group's language: operators type English command names, so
   * a Chinese argument must not switch an incident's replies to another language mid-conversation.
   */
  texts: Texts
}
