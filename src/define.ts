import type { z } from 'zod'
import type { AttachmentType } from './dingtalk/message.js'
import type { ReplyContent } from './dingtalk/message-content.js'
import type { CommandContext } from './context.js'
import type { AdminAction } from './admin/actions/action.js'
import type { FixedPrompt } from './budget/floor.js'
import type { SkillContext, SkillNeeds } from './router/skill-context.js'
import type { SkillText } from './i18n/localized.js'

// How skills, admin commands and jobs are declared: the definitions as data, and what their handlers get.

// What every handler returns. Declared beside the DingTalk message shapes, so the adapter that sends it
// imports nothing from the definitions (see test/unit/import-graph.test.ts).
export type { ReplyContent }

export type Risk = 'read' | 'write' | 'external'

export interface SkillInput<A> {
  args: A
  text: string
  ctx: SkillContext
}

export interface SkillDefinition<A = Record<string, string | undefined>> {
  /** kebab-case; also the route name for budgets and metrics. */
  name: string
  /** What `help` says the skill does: one text per locale (see `fromCatalogue`), or one for every language. */
  description: SkillText
  /** An example of what to type, shown by `help` and after arguments that do not validate; per locale like `description`. */
  example: SkillText
  /** Text that selects this skill; named groups become the raw args. */
  match: RegExp
  /** Validates the named groups; a failure answers with the example. */
  args?: z.ZodType<A>
  risk: Risk
  /** `host:port` destinations this skill's client may reach; no entry means no network at all. */
  egress?: string[]
  /** Only these staffIds may use the skill (for sensitive skills). */
  allow?: string[]
  timeoutMs?: number
  /**
   * The part of every model prompt this skill sends that no question changes (system prompt, tool schemas):
   * a budget below it could never pass, so setting one is refused.
   */
  fixedPrompt?: FixedPrompt
  /** Services beyond egress this skill uses (see SkillContext); nothing else reaches its handler. */
  needs?: SkillNeeds
  /**
   * The kinds of file this skill can use (`picture`, `file`, `video`). A message carrying any other kind is
   * answered "I can't use files here" before the handler runs. Default: none.
   */
  attachments?: readonly AttachmentType[]
  /** false keeps the skill out of `help` (for example while it is not configured); it still answers, saying so. */
  listed?: boolean
  /** The read-only answer used in incident mode and while the skill's breaker is open. */
  fallback?: (input: SkillInput<A>) => ReplyContent | Promise<ReplyContent>
  handler: (input: SkillInput<A>) => ReplyContent | Promise<ReplyContent>
}

/**
 * Declares an end-user skill. Definitions are data: the registry checks them before the bot connects.
 * @example
 * export default defineSkill({ name: 'ping', description: 'Liveness check', example: 'ping',
 *   match: /^ping$/i, risk: 'read', handler: () => 'pong' })
 */
export function defineSkill<A>(def: SkillDefinition<A>): SkillDefinition<A> {
  return def
}

/** `second-operator` means the command creates an approval request instead of running. */
export type ApprovalRule = 'none' | 'second-operator'

/** What a chat command's handler and preview get: its validated args and the context of the message. */
export interface CommandInput<A> {
  args: A
  ctx: CommandContext
}

export interface CommandDefinition<A = Record<string, unknown>> {
  /** kebab-case, typed after the slash; equal to the file name in commands/. */
  name: string
  description: string
  /** The usage line shown when the args do not validate. */
  usage: string
  /**
   * Names for positional words, in order. A name ending in `...` takes the rest of the words, joined.
   * `key=value` words become fields of the same name.
   */
  positional?: string[]
  args: z.ZodType<A>
  /** Whether running it needs a second operator; a function when it depends on the args (raise vs lower). */
  approval: ApprovalRule | ((args: A, ctx: CommandContext) => ApprovalRule)
  /** What /help says about a rule that is a function, e.g. `needs a second operator`. */
  approvalNote?: string
  /** A dry-run summary shown with an approval request, for destructive commands. */
  preview?: (input: CommandInput<A>) => string | Promise<string>
  /**
   * The admin action these args call (src/admin/actions), or undefined for a form that only reads (bare
   * `/budget`). The action writes its change, its entry and its announcement in one transaction.
   */
  action?: (args: A) => ActionCall | undefined
  /** Formats a committed action's result for chat; without it the action's own reply is sent. */
  format?: (done: { result: unknown; reply: string }, ctx: CommandContext) => ReplyContent
  /** Reads and answers; audited `executed` once it answered. Commands whose form is an action may omit it. */
  handler?: (input: CommandInput<A>) => ReplyContent | Promise<ReplyContent>
  /** The handler writes its own audit entries (/approve, /deny: the decision entries are the record). */
  selfAudited?: boolean
}

/** One call of an admin action with its input, as a command maps its args to it. */
export interface ActionCall {
  /** The input type is checked where the call is built (actionCall); methods let it be carried as unknown. */
  action: AdminAction<unknown, unknown>
  input: unknown
}

/**
 * Pairs an action with its input, type-checked.
 * @example action: (a) => actionCall(disableSkill, { skill: a.skill, reason: a.reason })
 */
export function actionCall<I, R>(action: AdminAction<I, R>, input: I): ActionCall {
  return { action, input }
}

/**
 * Declares an admin command.
 * @example
 * export default defineCommand({ name: 'whoami', description: 'Who the router thinks you are',
 *   usage: '/whoami', args: z.object({}), approval: 'none', handler: ({ ctx }) => ctx.operator.name })
 */
export function defineCommand<A>(def: CommandDefinition<A>): CommandDefinition<A> {
  return def
}

export interface JobDefinition {
  name: string
  /** node-cron expression, e.g. every minute: `* * * * *`. */
  schedule: string
  run: (now: number) => void | Promise<void>
}

/**
 * Declares a scheduled job; `jobs/` schedules it with node-cron and audits each run.
 * @example defineJob({ name: 'expire-approvals', schedule: '* * * * *', run: (now) => approvals.expire(now) })
 */
export function defineJob(def: JobDefinition): JobDefinition {
  return def
}
