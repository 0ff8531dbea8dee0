import { UserError } from '../../errors.js'
import { byLine, noChange, type ActionDeps, type AdminAction } from './action.js'

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
      checkSkill(deps, input.skill)
      if (deps.state.isSkillEnabled(input.skill) === enabled)
        return noChange(`"${input.skill}" is already ${enabled ? 'on' : 'off'}`)
      const reason = input.reason ?? (actor.approval ? `approval ${actor.approval.id}` : undefined)
      const after = deps.state.update(actor.name, reason, (draft) => {
        draft.skills[input.skill] = enabled
          ? { enabled: true, by: actor.name }
          : { enabled: false, reason: input.reason, by: actor.name }
      })
      const why = input.reason ? `: ${input.reason}` : ''
      const via = actor.approval ? `, approval ${actor.approval.id}` : ''
      return {
        kind: 'change',
        args: { ...input },
        result: after.version,
        announce: `Skill **${input.skill}** turned ${enabled ? 'ON' : 'OFF'} ${byLine(actor)}${why} (state v${after.version}${via}).`,
        reply: enabled
          ? `"${input.skill}" is on again (state v${after.version}).`
          : `"${input.skill}" is off (state v${after.version}). Users get a "turned off" answer from the next message on. ` +
            `Turn it back on with /enable-skill ${input.skill} (needs a second operator).`,
      }
    },
  }
}

/**
 * Refuses a skill name the registry does not know, listing the known ones.
 * @example checkSkill(deps, 'ping')
 */
export function checkSkill(deps: Pick<ActionDeps, 'skills'>, skill: string): void {
  if (deps.skills.get(skill)) return
  const known = deps.skills.skills.map((d) => d.name).join(', ')
  throw new UserError(`No skill named "${skill.slice(0, 64)}". Known skills: ${known}.`, 'unknown_skill')
}

/** Turns a skill off at once: narrowing exposure needs nobody's approval. */
export const disableSkill = toggle(false)

/** Turns a skill back on: in chat a second operator approves it first. */
export const enableSkill = toggle(true)
