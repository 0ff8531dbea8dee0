import type { RouterConfig } from '../../config.js'
import type { RuntimeFacts, Services } from '../../context.js'
import type { AuditChannel, AuditEntry } from '../../store/audit.js'
import { textsFor, type Texts } from '../../i18n/catalogue.js'

/** What every admin action may touch: the shared stores, the skill list, the config and the clock. */
export type ActionDeps = Pick<Services, 'state' | 'audit' | 'outbox' | 'skills' | 'releases' | 'usage' | 'now'> & {
  config: RouterConfig
  /** Only the running bot knows its digest; routerctl passes none and the newest deploy stands in. */
  runtime?: RuntimeFacts
}

/**
 * A no-op refusal: the state already is as asked.
 * @example return noChange('ping is already off')
 */
export function noChange(reason: string): Plan<never> {
  return { kind: 'refuse', outcome: 'rejected', reason: `no change: ${reason}`, noop: true }
}

/**
 * "by alice", "by bob (requested by alice)", "by dave via routerctl (break-glass)": the actor in announcements.
 * @example `Skill ping turned OFF ${byLine(actor, textsFor('en'))}`
 */
export function byLine(actor: ActionActor, t: Texts): string {
  return t.actions.by(actor.name, actor.approval?.requesterName ?? '', actor.channel === 'cli')
}

/**
 * The texts of an action's announcement: the admin group's language, whoever acted (routerctl included).
 * @example plan.announce = noticeTexts(deps).actions.skillOn('ping', 3)
 */
export function noticeTexts(deps: Pick<ActionDeps, 'config'>): Texts {
  return textsFor(deps.config.locale)
}

/**
 * The texts of an action's reply and refusals: English for routerctl (its output is a CLI contract), the
 * admin group's language for chat and jobs.
 * @example throw new UserError(replyTexts(deps, actor).actions.ttlTooShort, 'bad_ttl')
 */
export function replyTexts(deps: Pick<ActionDeps, 'config'>, actor: Pick<ActionActor, 'channel'>): Texts {
  return textsFor(actor.channel === 'cli' ? 'en' : deps.config.locale)
}

/** Who makes an action happen, through which channel; set once by the chat or CLI adapter. */
export interface ActionActor {
  /** The operator's name, the OS user for routerctl, or the job's name. */
  name: string
  channel: AuditChannel
  osUser?: string
  /** routerctl under sudo: `SUDO_USER`, recorded beside osUser (as `args.sudoUser`), never instead of it. */
  sudoUser?: string
  /** Set when the action runs because a second operator approved a request. */
  approval?: { id: string; requesterName: string; requester: string; requestedAt: number }
  /** Added to the entry's detail, e.g. a warning that the chain did not verify before it. */
  note?: string
}

/** What `apply` decided: a committed change with its entry's args and announcement, or a refusal. */
export type Plan<R> =
  | { kind: 'change'; args: Record<string, unknown>; result: R; announce?: string; reply: string }
  | {
      kind: 'refuse'
      outcome: 'rejected' | 'failed'
      reason: string
      args?: Record<string, unknown>
      /** The state already is as asked: routerctl exits 0 for it, yet it is not `executed`. */
      noop?: boolean
    }

/**
 * One admin action, in one place: chat commands and routerctl subcommands are thin adapters over it.
 * `apply` runs inside the write transaction that also commits its audit entry and its announcement,
 * and judges the request against the state as it is now. `after` holds effects that cannot run inside a
 * transaction (a rollback hook); it runs once the change is committed and is audited as its own entry.
 * @example const disableSkill: AdminAction<{ skill: string }, number> = { name: 'disable-skill', apply: … }
 */
export interface AdminAction<I, R> {
  /** The audit action name: the chat command's name. */
  name: string
  apply(deps: ActionDeps, input: I, actor: ActionActor): Plan<R>
  after?(deps: ActionDeps, input: I, done: Executed<R>, actor: ActionActor): Promise<AfterEffect>
}

/** What an asynchronous effect did; audited as its own entry linked to the action's seq. */
export interface AfterEffect {
  /** The effect entry's action name, e.g. `rollback-hook`. */
  action: string
  ok: boolean
  args: Record<string, unknown>
  detail?: string
  reply: string
  announce?: string
}

/** A committed action: its `executed` entry and what `apply` returned. */
export interface Executed<R> {
  ok: true
  entry: AuditEntry
  result: R
  reply: string
  /** Present once `runAction` ran the asynchronous effect; its own entry. */
  effect?: { ok: boolean; entry: AuditEntry }
}

/** An action that changed nothing: its `rejected` or `failed` entry says why. */
export interface NotExecuted {
  ok: false
  outcome: 'rejected' | 'failed'
  reason: string
  entry: AuditEntry
  noop: boolean
}

export type ActionResult<R> = Executed<R> | NotExecuted
