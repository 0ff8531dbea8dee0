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

/**
 * `audit verify`: recomputes the hash chain; exit 0 with the entry count, or exit 1 naming the first
 * entry that does not verify.
 * @example routerctl audit verify || page-the-security-team
 */
export const auditVerifyCommand: CliCommand = {
  name: 'audit verify',
  summary: 'check the audit hash chain; names the first entry that does not verify',
  positionals: [],
  flags: {},
  mutates: false,
  run({ io, session }) {
    const result = session.stores.audit.verify()
    if (result.ok) {
      io.out(`audit chain intact: ${result.count} entries`)
      return EXIT.ok
    }
    io.err(`audit chain broken at seq ${result.seq}: ${result.reason} (${result.count} entries before it verify)`)
    // Every entry failing from the first one is what a wrong key looks like, not necessarily tampering.
    if (result.count === 0) io.err('if this is the first entry, check that ROUTER_AUDIT_KEY is the key the bot uses')
    return EXIT.failed
  },
}
