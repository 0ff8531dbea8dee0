import { SIM_CARD_TEMPLATES, type SimCardTemplate } from './card-templates.js'

// The simulator's options with their defaults, and the shapes of the messages and replies it records.

/**
 * Public shapes of the local DingTalk simulator (DINGTALK.md §1–5).
 * Kept apart from the implementation so tests and the router can import them cheaply.
 */

/**
 * Options of {@link DingTalkSimulator}. Every field has a default suitable for tests.
 * @example
 * const sim = new DingTalkSimulator({ redeliveryDelayMs: 200, redeliveryCount: 2 })
 */
export interface SimulatorOptions {
  host?: string
  port?: number
  clientId?: string
  clientSecret?: string
  robotCode?: string
  /** The robot's display name: group richText starts with `@<robotName>`. */
  robotName?: string
  ticketTtlMs?: number
  sessionTtlMs?: number
  /** An un-acked robot CALLBACK is sent again after this many ms. */
  redeliveryDelayMs?: number
  /** How many times at most an un-acked CALLBACK is sent again. */
  redeliveryCount?: number
  /** After a SYSTEM disconnect frame, the TCP connection is closed this much later. */
  disconnectCloseDelayMs?: number
  /** When > 0, SYSTEM ping frames are sent on this interval. */
  pingIntervalMs?: number
  /**
   * When false, replies are still emitted as `'reply'` events but not kept in `replies`, so a long
   * benchmark does not grow the simulator; `waitForReply` then sees only replies that arrive later.
   */
  recordReplies?: boolean
  now?: () => number
  /** Card templates createAndDeliver accepts (default: the approval and AI card of the README). */
  cardTemplates?: SimCardTemplate[]
}

/** {@link SimulatorOptions} with every default filled in. */
export type ResolvedOptions = Required<SimulatorOptions>

/** One piece of a richText message: text, or a picture (its bytes are what the download API serves). */
export type SimRichSegment = { text: string } | { picture: string | Buffer }

/**
 * A quoted message (`text.isReplyMsg`). DingTalk puts the body at `content.content` or `content.text`
 * (`shape`, default `content`); a quoted card (`msgtype: 'interactiveCard'`) carries no content.
 */
export interface SimQuote {
  text?: string
  msgtype?: string
  senderId?: string
  createdAt?: number
  shape?: 'content' | 'text'
}

/**
 * What a test (or the `say` CLI) says to the bot; everything but the text has a default.
 * @example
 * sim.sendMessage({ text: '/status', senderStaffId: 'ops1', conversationId: 'cid-ops' })
 */
export interface SimMessageInput {
  text?: string
  msgtype?: string
  content?: unknown
  /** `null` omits the field, as for external users; `""` sends the empty string DingTalk sometimes sends. */
  senderStaffId?: string | null
  /** Default: the simulator's corp, or another corp for an external user (senderStaffId null). */
  senderCorpId?: string
  /** Segments of a `richText` message (default: one segment with `text`). */
  segments?: SimRichSegment[]
  /** Bytes the download API serves for a picture, file or video message (default: a short text). */
  file?: string | Buffer
  /** Makes a `text` message a reply quoting another message. */
  quote?: SimQuote
  senderNick?: string
  senderId?: string
  conversationId?: string
  conversationType?: '1' | '2'
  conversationTitle?: string
  isAdmin?: boolean
  msgId?: string
  createAt?: number
  /** Merged into the payload last, for hostile-input tests. */
  extra?: Record<string, unknown>
}

/**
 * A robot message handed to the gateway.
 * @example
 * const { msgId, messageId } = sim.sendMessage({ text: 'hi' })
 */
export interface SentMessage {
  msgId: string
  messageId: string
  payload: Record<string, unknown>
  sessionWebhook: string
}

/**
 * One message the bot sent: through a session webhook, a group send or a one-to-one send.
 * @example
 * const r = await sim.waitForReply({ msgId }); expect(r.text).toContain('ok')
 */
export interface RecordedReply {
  seq: number
  kind: 'webhook' | 'group' | 'oto'
  msgId?: string
  conversationId?: string
  userIds?: string[]
  msgtype: string
  text: string
  title?: string
  /** staffIds in `at.atUserIds` (webhook replies). */
  atUserIds?: string[]
  body: unknown
  at: number
}

/**
 * Filter of {@link DingTalkSimulator.waitForReply}; all given fields must match.
 * @example
 * await sim.waitForReply({ conversationId: 'cid-ops', afterSeq: 3 })
 */
export interface ReplyFilter {
  msgId?: string
  conversationId?: string
  afterSeq?: number
  predicate?: (r: RecordedReply) => boolean
}

/**
 * Counters of the simulator, for assertions.
 * @example
 * expect(sim.stats.openRefused).toBe(1)
 */
export interface SimStats {
  openCalls: number
  openRefused: number
  connectionsAccepted: number
  framesSent: number
  acksReceived: number
  pingsAnswered: number
  /** Access tokens issued (one per validity period unless revoked). */
  tokensIssued: number
  /** OpenAPI calls refused for a bad or expired access token. */
  tokensRejected: number
}

/** The robot-message callback topic (DINGTALK.md §2). */
export const ROBOT_TOPIC = '/v1.0/im/bot/messages/get'

/** Fill in the defaults of {@link SimulatorOptions}. */
export function resolveOptions(opts: SimulatorOptions = {}): ResolvedOptions {
  return {
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 0,
    clientId: opts.clientId ?? 'sim-client-id',
    clientSecret: opts.clientSecret ?? 'sim-client-secret',
    robotCode: opts.robotCode ?? 'sim-robot',
    robotName: opts.robotName ?? '运维助手',
    ticketTtlMs: opts.ticketTtlMs ?? 90_000,
    sessionTtlMs: opts.sessionTtlMs ?? 90 * 60_000,
    redeliveryDelayMs: opts.redeliveryDelayMs ?? 60_000,
    redeliveryCount: opts.redeliveryCount ?? 3,
    disconnectCloseDelayMs: opts.disconnectCloseDelayMs ?? 10_000,
    pingIntervalMs: opts.pingIntervalMs ?? 0,
    recordReplies: opts.recordReplies ?? true,
    now: opts.now ?? Date.now,
    cardTemplates: opts.cardTemplates ?? SIM_CARD_TEMPLATES,
  }
}
