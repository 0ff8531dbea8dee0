import { skillsNow } from '../../status.js'
import { EXIT, type CliCommand } from '../command.js'

/**
 * `skills [--json]`: every skill with on, off or paused (incident), reason, risk and egress, as a table; by
 * the rule `/skills` and `routerctl status` use.
 * @example routerctl skills
 */
export const skillsCommand: CliCommand = {
  name: 'skills',
  summary: 'every skill: on/off/paused (incident), reason, risk, egress (--json for JSON)',
  positionals: [],
  flags: { json: { kind: 'switch' } },
  mutates: false,
  run({ args, io, session }) {
    // Without a valid bot config incident.riskySkills is unknown: only declared risk counts, and the table says so.
    const riskySkills = session.config?.incident.riskySkills
    const config = { incident: { riskySkills: riskySkills ?? [] } }
    const skills = skillsNow({ state: session.stores.state, skills: session.skills, config }, io.now())
    if (args.flags.json) {
      io.out(
        JSON.stringify(
          skills.map(({ breakers: _unknown, ...s }) => s),
          null,
          2,
        ),
      )
      return EXIT.ok
    }
    const rows = [['SKILL', 'STATE', 'RISK', 'EGRESS', 'REASON']]
    for (const s of skills) rows.push([s.name, stateOf(s), s.risk, s.egress.join(',') || '-', s.reason ?? '-'])
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)))
    for (const r of rows) io.out(r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  '))
    if (!riskySkills && skills.some((s) => s.pausedByIncident))
      io.out(
        '(incident.riskySkills unknown: the bot configuration does not validate, so only write/external skills show as paused)',
      )
    io.out('(breaker states live in the bot process: see /skills in chat)')
    return EXIT.ok
  },
}

function stateOf(s: { enabled: boolean; pausedByIncident: boolean }): string {
  if (!s.enabled) return 'off'
  return s.pausedByIncident ? 'paused (incident)' : 'on'
}
