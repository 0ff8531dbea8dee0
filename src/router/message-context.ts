import type { Context, MessageOutcome, Services } from '../context.js'
import type { ReplyContent } from '../define.js'
import type { InboundMessage } from '../dingtalk/message.js'
import { newReferenceId } from '../errors.js'
import { type Texts, textsFor } from '../i18n/catalogue.js'
import { type Locale, localeOf } from '../i18n/locale.js'
import type { Logger } from '../logger.js'
import type { StateVersion } from '../store/state.js'

/** The route of a message before (or without) `route` picking a skill or command. */
export const UNROUTED = 'unrouted'

/**
 * The context one message carries through the pipeline, built once when a worker takes it: its locale and
 * texts, one snapshot of the runtime state, and its reply function.
 *
 * A class, not an object literal, because of `log`: V8 builds a literal that has a getter at run time, and
 * such objects land in the old generation, dead a few milliseconds later but kept until the next full
 * collection, together with everything young they point at. At 1,000 msg/s the router promoted 36 MB over a
 * paced phase with the literal and 12 MB with this class (--trace-gc-nvp): a mark-compact every 5 s, which
 * the ack tail met, had been mostly this.
 * @example await pipeline(messageContext(services, job.msg, job.receivedAt))
 */
export function messageContext(services: Services, msg: InboundMessage, receivedAt: number): Context {
  return new MessageContext(services, msg, receivedAt)
}

class MessageContext implements Context {
  readonly locale: Locale
  readonly texts: Texts
  // Read once: every step of this message sees the same skill flags, incident mode and budgets.
  readonly state: StateVersion
  route = UNROUTED
  outcome: MessageOutcome = 'pending'
  replyCount = 0
  readonly mentions = new Set<string>()
  failure?: Context['failure']
  commandParse?: Context['commandParse']
  command?: Context['command']
  operator?: Context['operator']
  skill?: Context['skill']
  budget?: Context['budget']
  #log: Logger | undefined
  #refId: string | undefined

  constructor(
    readonly services: Services,
    readonly msg: InboundMessage,
    readonly receivedAt: number,
  ) {
    this.locale = localeOf(msg.text, services.config.locale)
    this.texts = textsFor(this.locale)
    this.state = services.state.currentThisTurn()
  }

  /** Made on first use: only a failure or a log line needs it, and most messages have neither. */
  get refId(): string {
    this.#refId ??= newReferenceId()
    return this.#refId
  }

  /**
   * Made on first use: a pino child costs about 10 KB of garbage per message (its bindings go through
   * redaction), and at the usual levels most messages log nothing (measured with the bench's allocation
   * profile: the largest single allocator on the ping path).
   */
  get log(): Logger {
    this.#log ??= this.services.log.child({ msgId: this.msg.msgId, refId: this.refId })
    return this.#log
  }

  /** An arrow, so the pipeline's steps may hand `ctx.reply` on as a function. */
  readonly reply = async (content: ReplyContent): Promise<void> => {
    this.replyCount++
    const outcome = await this.services.replies.send(this.msg, content, {
      mention: [...this.mentions],
      route: this.route,
    })
    if (outcome !== 'sent' && outcome !== 'sent-proactively') {
      // Recorded under this route by the reply sender; counted as an error of this route by observe().
      this.failure ??= 'reply-undelivered'
      this.log.warn({ outcome, route: this.route }, 'reply not delivered')
    }
  }
}
