import { setSkillEnabled } from '../../admin/skill-actions.js'
import { runBreakGlass, reasonFlag } from '../break-glass.js'
import { EXIT, type CliCommand } from '../command.js'

/**
 * `disable-skill <skill>` or `enable-skill <skill>`: the same effect as the chat commands
 * (setSkillEnabled), taken at once because SSH access is the gate, and announced by the running bot.
 * @example export const disableSkill = skillToggle(false)
 */
export function skillToggle(enabled: boolean): CliCommand {
  const verb = enabled ? 'enable' : 'disable'
  return {
    name: `${verb}-skill`,
    summary: `turn a skill ${enabled ? 'on' : 'off'} at once (the running bot follows within a second)`,
    positionals: ['skill'],
    flags: { reason: reasonFlag },
    mutates: true,
    run({ args, io, session }) {
      const skill = args.positionals.skill!
      const reason = String(args.flags.reason)
      const deps = { state: session.stores.state, skills: session.skills }
      const done = runBreakGlass(session, io, {
        action: `${verb}-skill`,
        args: { skill },
        reason,
        summary: `${verb}d skill ${skill}`,
        unchanged: () =>
          session.stores.state.isSkillEnabled(skill) === enabled
            ? `${skill} is already ${enabled ? 'on' : 'off'}`
            : undefined,
        apply: (actor) => setSkillEnabled(deps, skill, enabled, actor, reason),
      })
      if (!done.changed) {
        io.out(`${done.note}; nothing changed (audited as seq ${done.entry.seq}).`)
        return EXIT.ok
      }
      io.out(`${verb}d skill ${skill} (state version ${done.result ?? '?'}, audit seq ${done.entry.seq}).`)
      io.out('The running bot applies it to the next message and announces it in the admin conversations.')
      return EXIT.ok
    },
  }
}
