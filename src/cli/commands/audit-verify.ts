import { shortHead } from '../../store/audit.js'
import { EXIT, type CliCommand } from '../command.js'

// `routerctl audit verify`: checks the audit chain, and optionally that an announced head is still in it.

const HEAD = /^(\d{1,15}):([0-9a-fA-F]{6,64})$/

/**
 * `audit verify [--expect-head <seq>:<hash>]`: recomputes the hash chain; exit 0 with the entry count and
 * the head it ends at, or exit 1 naming the first entry that does not verify. With `--expect-head` (the
 * head posted with announcements in the admin conversations; a hash prefix of 6+ characters is enough) it
 * also exits 1 when the chain no longer contains that head: the newest rows were deleted or rewritten.
 * @example routerctl audit verify --expect-head 41:3f2a9c1b7e0d || page-the-security-team
 */
export const auditVerifyCommand: CliCommand = {
  name: 'audit verify',
  summary: 'check the audit hash chain (and that it still holds an announced head); prints count and head',
  positionals: [],
  flags: {
    'expect-head': {
      kind: 'value',
      placeholder: '<seq>:<hash>',
      validate: (v) => (HEAD.test(v) ? undefined : 'expected <seq>:<hash> as announced, e.g. 41:3f2a9c1b7e0d'),
    },
  },
  mutates: false,
  run({ args, io, session }) {
    const { audit } = session.stores
    const result = audit.verify()
    if (!result.ok) {
      io.err(`audit chain broken at seq ${result.seq}: ${result.reason} (${result.count} entries before it verify)`)
      // Every entry failing from the first one is what a wrong key looks like, not necessarily tampering.
      if (result.count === 0) io.err('if this is the first entry, check that ROUTER_AUDIT_KEY is the key the bot uses')
      return EXIT.failed
    }
    const summary = `${result.count} entries, head ${result.head.seq}:${result.head.hash}`
    const expected = typeof args.flags['expect-head'] === 'string' ? HEAD.exec(args.flags['expect-head']) : null
    if (expected) {
      const seq = Number(expected[1])
      const check = audit.checkHead(seq, expected[2]!)
      if (check !== 'present') {
        const why = {
          missing: `there is no entry ${seq} any more: the chain ends at ${shortHead(result.head)}, so entries after it were deleted`,
          different: `entry ${seq} has a different hash than announced: the chain was rewritten from there`,
          pruned: `entry ${seq} is older than the retention checkpoint (seq ${audit.checkpoint()?.seq}), so it cannot be confirmed`,
        }[check]
        io.err(`audit chain does not contain the expected head ${expected[1]}:${expected[2]}: ${why}`)
        io.err(`(the stored chain itself verifies: ${summary})`)
        return EXIT.failed
      }
      io.out(`audit chain intact: ${summary}; contains the expected head ${expected[1]}:${expected[2]}`)
      return EXIT.ok
    }
    io.out(`audit chain intact: ${summary}`)
    return EXIT.ok
  },
}
