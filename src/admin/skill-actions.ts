import type { Services } from '../context.js'
import { UserError } from '../errors.js'

type Deps = Pick<Services, 'state' | 'skills'>

/**
 * Turns a skill on or off in the runtime state. Shared by the chat commands and routerctl so both
 * channels have exactly the same effect; the caller audits and announces.
 * @returns the new state version, or undefined when nothing changed.
 */
export function setSkillEnabled(
  s: Deps,
  skill: string,
  enabled: boolean,
  actor: string,
  reason?: string,
): number | undefined {
  if (!s.skills.get(skill)) {
    const known = s.skills.skills.map((d) => d.name).join(', ')
    throw new UserError(`No skill named "${skill.slice(0, 64)}". Known skills: ${known}.`, 'unknown_skill')
  }
  if (s.state.isSkillEnabled(skill) === enabled) return undefined
  const after = s.state.update(actor, reason, (draft) => {
    draft.skills[skill] = enabled ? { enabled: true, by: actor } : { enabled: false, reason, by: actor }
  })
  return after.version
}
