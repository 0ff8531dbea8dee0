import { UserError } from '../errors.js'
import { type ChatMessage, promptTokens, type ToolSpec } from '../model/chat.js'
import type { BudgetLimits } from './resolve.js'
import type { Texts } from '../i18n/catalogue.js'

/** What a skill sends the model on every request before the question: see `SkillDefinition.fixedPrompt`. */
export interface FixedPrompt {
  /** The messages with the question left empty. */
  messages: ChatMessage[]
  /** The tool schemas offered while tool calls remain (none are offered with `tools=0`). */
  tools: ToolSpec[]
}

/** The fixed prompt's tokens, with and without the tool schemas. */
export interface PromptFloor {
  withTools: number
  withoutTools: number
}

/**
 * Counts a fixed prompt the way the budget check counts a real request.
 * @example const floor = await measureFloor(askSkill(settings).fixedPrompt!) // { withTools: 190, withoutTools: 60 }
 */
export async function measureFloor(fixed: FixedPrompt): Promise<PromptFloor> {
  return {
    withTools: await promptTokens(fixed.messages, fixed.tools),
    withoutTools: await promptTokens(fixed.messages, []),
  }
}

/** The fewest context tokens these limits need on a route with this floor. */
function minimumContext(floor: PromptFloor, limits: Pick<BudgetLimits, 'maxToolCalls'>): number {
  return limits.maxToolCalls > 0 ? floor.withTools : floor.withoutTools
}

/**
 * Why `limits` cannot work on `route`, or undefined. Below the fixed prompt every question would be refused.
 * Start-up checks and logs pass English texts; /budget passes the admin group's.
 * @example floorProblem('ask', floor, { maxContextTokens: 50, maxToolCalls: 3, maxDiagnosticBytes: 2048 }, textsFor('en'))
 */
export function floorProblem(
  route: string,
  floor: PromptFloor | undefined,
  limits: BudgetLimits,
  t: Texts,
): string | undefined {
  if (!floor) return undefined
  const minimum = minimumContext(floor, limits)
  if (limits.maxContextTokens >= minimum) return undefined
  const tools = limits.maxToolCalls > 0 ? floor.withoutTools : undefined
  return t.budgetAdmin.belowFloor(limits.maxContextTokens, minimum, route, tools ?? -1)
}

/**
 * Throws the UserError for {@link floorProblem}; `/budget` and routerctl both call it before writing.
 * @example checkFloor('ask', skills.promptFloor('ask'), wanted, textsFor('en'))
 */
export function checkFloor(route: string, floor: PromptFloor | undefined, limits: BudgetLimits, t: Texts): void {
  const problem = floorProblem(route, floor, limits, t)
  if (problem) throw new UserError(t.budgetAdmin.refused(problem), 'bad_budget')
}
