import type { Context } from '../context.js'
import type { SkillDefinition, SkillInput } from '../define.js'
import type { AnswerCard } from '../dingtalk/answer-card.js'
import type { ReplyContent } from '../define.js'
import { errorMessage, UserError } from '../errors.js'
import { isIncidentActive, isRiskyInIncident } from '../admin/incident-actions.js'
import { explainEgressFailure } from '../egress/explain.js'
import { inLocale } from '../i18n/localized.js'
import { mayUse, skillContext } from './skill-context.js'

// Runs one routed skill behind its gates: on/off, allowlist, incident mode, breaker, args and timeout.

const DEFAULT_TIMEOUT_MS = 5000
/** Room after one egress call's own deadline for the skill to read the answer and reply. */
const EGRESS_MARGIN_MS = 2000

/** True while incident mode holds this skill back: risky by declaration or listed as risky in the config. */
function heldByIncident(ctx: Context, def: SkillDefinition<unknown>): boolean {
  const { config, now } = ctx.services
  return isIncidentActive(ctx.state.state.incident, now()) && isRiskyInIncident(def, config.incident.riskySkills)
}

/**
 * Gates and runs one skill: on/off flag, its user allowlist, incident mode, its breaker, arg validation,
 * then the handler under a timeout. A read-only fallback answers when the skill may not or cannot.
 */
export async function runSkill(
  ctx: Context,
  def: SkillDefinition<unknown>,
  rawArgs: Record<string, string | undefined>,
): Promise<void> {
  const { services } = ctx
  const texts = ctx.texts.skillRun
  if (!(ctx.state.state.skills[def.name]?.enabled ?? true)) {
    ctx.outcome = 'refused'
    await ctx.reply(texts.turnedOff(def.name))
    return
  }
  if (!mayUse(def, ctx.msg.senderStaffId)) {
    ctx.outcome = 'refused'
    await ctx.reply(texts.limited(def.name))
    return
  }
  const { attachments } = ctx.msg
  const unusable = attachments.length > 0 ? attachments.filter((a) => !def.attachments?.includes(a.type)) : attachments
  if (unusable.length > 0) {
    ctx.outcome = 'refused'
    await ctx.reply(ctx.texts.inbound.cannotUseFiles(unusable, def.name))
    return
  }
  const parsed = def.args ? def.args.safeParse(rawArgs) : { success: true as const, data: rawArgs }
  if (!parsed.success) {
    ctx.outcome = 'no-match'
    await ctx.reply(texts.badArgs(inLocale(def.example, ctx.locale)))
    return
  }
  // A model or OpenClaw agent answer streams into an AI card when one is configured; the card appears with the first text.
  const card = def.needs?.model || def.needs?.openclaw ? services.cards?.answerCard?.(ctx.msg, ctx.log) : undefined
  const input: SkillInput<unknown> = { args: parsed.data, text: ctx.msg.text, ctx: skillContext(ctx, def, card) }
  // Answer from the fallback up front only when every destination is down; with one of several down (a
  // tool's API, not the model), the handler runs, fails fast on that breaker, and falls back if it must.
  const egress = def.egress ?? []
  const open = egress.length > 0 ? egress.filter((d) => services.egress.breakerState(d) === 'open') : egress
  const breakerOpen = egress.length > 0 && open.length === egress.length
  if (heldByIncident(ctx, def) || breakerOpen) {
    ctx.outcome = def.fallback ? 'fallback' : 'refused'
    // Incident mode is a decision, not a fault; a breaker held open by a failing backend is a failure.
    if (breakerOpen) {
      ctx.failure = 'breaker-open'
      recordEvent(
        ctx,
        def,
        def.fallback ? 'fallback' : 'breaker-open',
        `circuit open for ${open.join(', ')}; ${def.fallback ? 'answered from the fallback' : 'refused'}`,
      )
    }
    await ctx.reply(
      def.fallback ? await def.fallback(input) : texts.paused(def.name, breakerOpen ? 'backend-down' : 'incident'),
    )
    return
  }
  // A skill that calls out may take as long as egress.timeoutMs allows its call, not a fixed 5 s.
  const timeoutMs =
    def.timeoutMs ??
    (egress.length > 0
      ? Math.max(DEFAULT_TIMEOUT_MS, services.config.egress.timeoutMs + EGRESS_MARGIN_MS)
      : DEFAULT_TIMEOUT_MS)
  try {
    const reply = await withTimeout(() => def.handler(input), timeoutMs)
    ctx.outcome = 'replied'
    await deliver(ctx, card, reply)
  } catch (err) {
    // A card that started streaming is closed as failed; the error or fallback answer follows as a message.
    await card?.fail()
    if (err instanceof UserError) throw err
    // Blocked by policy or credentials refused: not an outage, so no "not answering" fallback.
    const explained = explainEgressFailure(err, def.name, ctx.texts.egress)
    if (explained) {
      recordEvent(ctx, def, explained.code, errorMessage(err))
      throw explained
    }
    const timedOut = err instanceof SkillTimeout
    // A failure without a fallback reaches observe(), which records it (code `internal`) with the reference id.
    if (timedOut || def.fallback)
      recordEvent(ctx, def, timedOut ? 'timeout' : 'failed', errorMessage(err), timedOut ? undefined : sampleOf(err))
    if (!def.fallback) {
      if (err instanceof SkillTimeout) throw new UserError(texts.timedOut(def.name, timeoutMs), 'timeout')
      throw err
    }
    ctx.log.warn({ err: (err as Error).message }, 'skill failed; answering from its fallback')
    // The user is answered, but the call failed: an error of this route in every rate (see observe.ts).
    ctx.failure = 'skill-failed'
    ctx.outcome = 'fallback'
    await ctx.reply(await def.fallback(input))
  }
}

/** The final answer: into the streaming card when it started (and DingTalk took it), else as a reply. */
async function deliver(ctx: Context, card: AnswerCard | undefined, content: ReplyContent): Promise<void> {
  if (card && (await card.finish(content))) {
    ctx.replyCount++
    return
  }
  await ctx.reply(content)
}

function recordEvent(
  ctx: Context,
  def: SkillDefinition<unknown>,
  code: string,
  message: string,
  sample?: string,
): void {
  try {
    ctx.services.events.record({ route: def.name, code, message, sample }, ctx.services.now())
  } catch (err) {
    // Diagnostics must never cost the user their answer.
    ctx.log.warn({ err: errorMessage(err) }, 'could not record an error event')
  }
}

// The error and the top of its stack: enough to place the fault, never more than EventStore's 512 bytes.
function sampleOf(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined
  return (err.stack ?? `${err.name}: ${err.message}`)
    .split('\n')
    .slice(0, 4)
    .map((l) => l.trim())
    .join(' | ')
}

class SkillTimeout extends Error {}

/**
 * Runs `work` (a handler that throws at once rejects like one that fails later) and rejects with
 * SkillTimeout after `ms`. One promise, not a race of two and a `finally`: this runs for every message.
 */
function withTimeout<T extends ReplyContent>(work: () => T | Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new SkillTimeout(`no answer within ${ms} ms`)), ms)
    const fail = (err: unknown) => {
      clearTimeout(timer)
      reject(err)
    }
    try {
      Promise.resolve(work()).then((value) => {
        clearTimeout(timer)
        resolve(value)
      }, fail)
    } catch (err) {
      fail(err)
    }
  })
}
