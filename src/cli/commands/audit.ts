import { EXIT, type CliCommand } from '../command.js'

/**
 * `audit export [--since <seq>]`: one JSON object per line, oldest first, with every field CONTRACT.md
 * lists (plus osUser and detail), so it can be shipped to other storage or diffed.
 * @example routerctl audit export --since 120 > audit.jsonl
 */
export const auditExportCommand: CliCommand = {
  name: 'audit export',
  summary: 'the audit trail as JSON lines, oldest first',
  positionals: [],
  flags: {
    since: {
      kind: 'value',
      placeholder: '<seq>',
      validate: (v) => (/^\d{1,15}$/.test(v) ? undefined : 'expected an entry number, e.g. 120'),
    },
  },
  mutates: false,
  run({ args, io, session }) {
    const since = args.flags.since === undefined ? 0 : Number(args.flags.since)
    for (const entry of session.stores.audit.entries(since)) io.out(JSON.stringify(entry))
    return EXIT.ok
  },
}
