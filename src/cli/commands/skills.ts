import { skillStatuses } from '../../status.js'
import { EXIT, type CliCommand } from '../command.js'

/**
 * `skills [--json]`: every skill with on/off, reason, risk and egress, as a table.
 * @example routerctl skills
 */
export const skillsCommand: CliCommand = {
  name: 'skills',
  summary: 'every skill: on/off, reason, risk, egress (--json for JSON)',
  positionals: [],
  flags: { json: { kind: 'switch' } },
  mutates: false,
  run({ args, io, session }) {
    const skills = skillStatuses({ state: session.stores.state, skills: session.skills })
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
    for (const s of skills)
      rows.push([s.name, s.enabled ? 'on' : 'off', s.risk, s.egress.join(',') || '-', s.reason ?? '-'])
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)))
    for (const r of rows) io.out(r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  '))
    io.out('(breaker states live in the bot process: see /skills in chat)')
    return EXIT.ok
  },
}
