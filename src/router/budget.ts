import type { Middleware } from '../compose.js'
import type { Context } from '../context.js'
import { recordRefusal } from '../budget/refusal.js'
import { effectiveBudget } from '../budget/resolve.js'
import { surelyFits, tokensOver } from '../budget/tokenizer.js'

/**
 * Resolves the route's budget and refuses, before any skill code runs, a message whose text alone is over
 * the route's maxContextTokens: the user gets the short "narrow it" reply, operators get the metric, an
 * error event and a log line. It runs right after `route`, because budgets are per route and `route` is
 * where the route becomes known. Admin commands are not budgeted.
 * @example compose([route(), budget(), dispatch()]) // the real order is createPipeline's, in pipeline.ts
 */
export function budget(): Middleware<Context> {
  // Not async: text short enough to fit for sure (nearly every message) goes on with no promise and frame
  // of this step's own (see compose.ts); only longer text waits for the tokenizer.
  return function budget(ctx, next) {
    if (!ctx.skill) return next()
    const limits = effectiveBudget(ctx.services.config, ctx.state.state, ctx.route).limits
    if (surelyFits(ctx.msg.text, limits.maxContextTokens)) {
      ctx.budget = { limits, textTokens: undefined }
      return next()
    }
    return countThenDecide(ctx, limits, next)
  }
}

async function countThenDecide(
  ctx: Context,
  limits: NonNullable<Context['budget']>['limits'],
  next: () => Promise<void>,
): Promise<void> {
  const over = await tokensOver(ctx.msg.text, limits.maxContextTokens)
  ctx.budget = { limits, textTokens: over }
  if (over === undefined) return next()
  ctx.outcome = 'over-budget'
  recordRefusal(ctx.services, {
    route: ctx.route,
    tokens: over,
    limit: limits.maxContextTokens,
    stage: 'pipeline',
    log: ctx.log,
  })
  await ctx.reply(ctx.texts.budget.needsMoreInfo(over, limits.maxContextTokens))
}
