import { disableSkill, enableSkill } from '../../admin/actions/skill-toggle.js'
import { runBreakGlass, reasonFlag } from '../break-glass.js'
import type { CliCommand } from '../command.js'

/**
 * `disable-skill <skill>` or `enable-skill <skill>`: the same action as the chat commands, taken at once
 * because SSH access is the gate, and announced by the running bot.
 * @example export const disableSkillCommand = skillToggle(false)
 */
export function skillToggle(enabled: boolean): CliCommand {
  const verb = enabled ? 'enable' : 'disable'
  return {
    name: `${verb}-skill`,
    summary: `turn a skill ${enabled ? 'on' : 'off'} at once (the running bot follows within a second)`,
    positionals: ['skill'],
    flags: { reason: reasonFlag },
    mutates: true,
    async run({ args, io, session }) {
      const input = { skill: args.positionals.skill!, reason: String(args.flags.reason) }
      return (await runBreakGlass(session, io, enabled ? enableSkill : disableSkill, input)).code
    },
  }
}
