import { UserError } from '../../errors.js'
import type { Texts } from '../../i18n/catalogue.js'
import { byLine, noChange, noticeTexts, replyTexts, type ActionDeps, type AdminAction } from './action.js'

// The disable-skill and enable-skill admin actions: one skill's flag, changed and audited.

/** Which skill, and why (chat: optional; routerctl: its required --reason). */
export interface SkillToggleInput {
  skill: string
  reason?: string
}

function toggle(enabled: boolean): AdminAction<SkillToggleInput, number> {
  const name = enabled ? 'enable-skill' : 'disable-skill'
  return {
    name,
    apply(deps, input, actor) {
      const say = replyTexts(deps, actor)
      const notice = noticeTexts(deps)
      checkSkill(deps, input.skill, say)
      if (deps.state.isSkillEnabled(input.skill) === enabled)
        return noChange(say.actions.alreadySkill(input.skill, enabled))
      const reason = input.reason ?? (actor.approval ? `approval ${actor.approval.id}` : undefined)
      const after = deps.state.update(actor.name, reason, (draft) => {
        draft.skills[input.skill] = enabled
          ? { enabled: true, by: actor.name }
          : { enabled: false, reason: input.reason, by: actor.name }
      })
      return {
        kind: 'change',
        args: { ...input },
        result: after.version,
        announce: notice.actions.skillToggled(
          input.skill,
          enabled,
          byLine(actor, notice),
          input.reason ?? '',
          after.version,
          actor.approval?.id ?? '',
        ),
        reply: enabled
          ? say.actions.skillOn(input.skill, after.version)
          : say.actions.skillOff(input.skill, after.version),
      }
    },
  }
}

/**
 * Refuses a skill name the registry does not know, listing the known ones.
 * @example checkSkill(deps, 'ping', textsFor('en'))
 */
export function checkSkill(deps: Pick<ActionDeps, 'skills'>, skill: string, t: Texts): void {
  if (deps.skills.get(skill)) return
  const known = deps.skills.skills.map((d) => d.name).join(', ')
  throw new UserError(t.actions.unknownSkill(skill.slice(0, 64), known), 'unknown_skill')
}

/** Turns a skill off at once: narrowing exposure needs nobody's approval. */
export const disableSkill = toggle(false)

/** Turns a skill back on: in chat a second operator approves it first. */
export const enableSkill = toggle(true)
