import type { Context } from '../context.js'
import type { SkillDefinition } from '../define.js'
import type { Attachment, QuotedMessage } from '../dingtalk/message.js'
import type { DownloadedFile } from '../dingtalk/message-files.js'
import type { AnswerCard } from '../dingtalk/answer-card.js'
import type { Logger } from '../logger.js'
import type { EgressClient } from '../egress/client.js'
import type { ModelService } from '../model/client.js'
import { diagnosticsService, type DiagnosticsService } from '../budget/diagnostics.js'
import { effectiveBudget } from '../budget/resolve.js'
import type { OpenClawService } from '../openclaw/hub.js'
import type { Texts } from '../i18n/catalogue.js'
import type { Locale } from '../i18n/locale.js'
import { inLocale } from '../i18n/localized.js'
import { adminStanding } from './identity.js'

/** What a skill handler may touch: its own egress client and logger, and who is asking. Nothing else. */
export interface SkillContext {
  egress: EgressClient
  log: Logger
  user: { staffId?: string; nick: string }
  conversationType: 'one-to-one' | 'group'
  /** The language of this message: Chinese for a writer of Chinese, else `config.locale`. */
  locale: Locale
  /** The catalogue's texts in `locale`: a skill writes its replies from them. */
  texts: Texts
  /** The skills this user may use right now (for `help`), described in `locale`. */
  catalog(): { name: string; description: string; example: string }[]
  /** Present when the skill declares `needs.model` and a model is configured: budgeted, cached, metered. */
  model?: ModelService
  /** Present when the skill declares `needs.diagnostics`: error-event summaries capped by the route budget. */
  diagnostics?: DiagnosticsService
  /** The message the user quoted when replying, if any (its text when it had one). */
  quoted?: QuotedMessage
  /** Files that came with the message; only of the types the skill declares in `attachments`. */
  attachments: readonly Attachment[]
  /** Fetches one of `attachments` through DingTalk; present when the skill declares `attachments`. */
  download?: (file: Attachment) => Promise<DownloadedFile>
  /**
   * Present for a skill that declares `needs.model` when answers stream into a card (`cards.streamingTemplateId`):
   * the answer so far, shown to the user as it grows. The handler's return value is still the final answer.
   */
  partial?: (textSoFar: string) => void
  /** Present when the skill declares `needs.openclaw` and its name is an `openclaw.routes` entry. */
  openclaw?: OpenClawService
}

/** Narrow services a skill asks for beyond its egress client; it gets only what it declares. */
export interface SkillNeeds {
  model?: boolean
  diagnostics?: boolean
  openclaw?: boolean
}

/**
 * Whether this sender may use the skill: everyone, unless the skill names its users in `allow`.
 * @example if (!mayUse(def, ctx.msg.senderStaffId)) refuse()
 */
export function mayUse(def: SkillDefinition<unknown>, staffId: string | undefined): boolean {
  return !def.allow || (staffId !== undefined && def.allow.includes(staffId))
}

/** The catalog `help` shows: the skills this user may use right now, in the language of the message. */
function visibleSkills(ctx: Context): { name: string; description: string; example: string }[] {
  const flags = ctx.state.state.skills
  return ctx.services.skills.skills
    .filter((s) => s.listed !== false && (flags[s.name]?.enabled ?? true) && mayUse(s, ctx.msg.senderStaffId))
    .map((s) => ({
      name: s.name,
      description: inLocale(s.description, ctx.locale),
      example: inLocale(s.example, ctx.locale),
    }))
}

/**
 * The SkillContext one skill's handler gets for this message: its own egress client, who is asking, the
 * files it accepts, the services it declared in `needs`, and `partial` when its answer streams into `card`.
 * Nothing else reaches the handler.
 * @example const input = { args, text: ctx.msg.text, ctx: skillContext(ctx, def, card) }
 */
export function skillContext(ctx: Context, def: SkillDefinition<unknown>, card?: AnswerCard): SkillContext {
  return new HandlerContext(ctx, def, card)
}

/**
 * A class for the same reason as the message context (message-context.ts): an object literal with a getter
 * goes to V8's old generation. The message context is a true private field, out of the handler's reach.
 */
class HandlerContext implements SkillContext {
  readonly #ctx: Context
  readonly egress: EgressClient
  readonly user: SkillContext['user']
  readonly conversationType: SkillContext['conversationType']
  readonly locale: SkillContext['locale']
  readonly texts: SkillContext['texts']
  readonly attachments: SkillContext['attachments']
  readonly quoted?: SkillContext['quoted']
  readonly download?: SkillContext['download']
  readonly partial?: SkillContext['partial']
  readonly model?: SkillContext['model']
  readonly diagnostics?: SkillContext['diagnostics']
  readonly openclaw?: SkillContext['openclaw']

  constructor(ctx: Context, def: SkillDefinition<unknown>, card?: AnswerCard) {
    this.#ctx = ctx
    this.egress = ctx.services.egress.forRoute(def.name, def.egress ?? [])
    this.user = { staffId: ctx.msg.senderStaffId, nick: ctx.msg.senderNick }
    this.conversationType = ctx.msg.conversationType
    this.locale = ctx.locale
    this.texts = ctx.texts
    this.attachments = ctx.msg.attachments
    if (ctx.msg.quoted) this.quoted = ctx.msg.quoted
    if (def.attachments?.length) this.download = (file) => ctx.services.messageFiles.download(file)
    if (card) this.partial = (text: string) => card.push(text)
    const declared = declaredServices(ctx, def, this.egress)
    if ('model' in declared) this.model = declared.model
    if ('diagnostics' in declared) this.diagnostics = declared.diagnostics
    if ('openclaw' in declared) this.openclaw = declared.openclaw
  }

  /** A getter, so a skill that logs nothing never makes the message's child logger (see message-context.ts). */
  get log(): Logger {
    return this.#ctx.log
  }

  /** An arrow, so a handler may take it off the context and call it alone. */
  readonly catalog = (): { name: string; description: string; example: string }[] => visibleSkills(this.#ctx)
}

/**
 * The services a skill declared in `needs`, bound to this request: its route's budget (as the budget step
 * resolved it), its own egress client and logger. Undeclared services are simply absent. The diagnostics are
 * the error events behind /diag: operator-only data, so a skill gets them only for a sender who could run
 * /diag in this conversation (least privilege: a skill sees only what its user may see).
 */
function declaredServices(
  ctx: Context,
  def: SkillDefinition<unknown>,
  egress: EgressClient,
): Pick<SkillContext, 'model' | 'diagnostics' | 'openclaw'> {
  const needs = def.needs
  if (!needs) return {}
  const { services } = ctx
  const budget = ctx.budget?.limits ?? effectiveBudget(services.config, ctx.state.state, def.name).limits
  return {
    model: needs.model ? services.model?.forRoute({ route: def.name, budget, egress, log: ctx.log }) : undefined,
    diagnostics:
      needs.diagnostics && adminStanding(ctx.msg, services).ok
        ? diagnosticsService(services.events, budget.maxDiagnosticBytes, services.now)
        : undefined,
    openclaw: needs.openclaw
      ? services.openclaw?.forRequest({ route: def.name, budget, egress, log: ctx.log, msg: ctx.msg })
      : undefined,
  }
}
