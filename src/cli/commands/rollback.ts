import { rollbackConfigAction } from '../../admin/actions/rollback-config.js'
import { rollbackReleaseAction } from '../../admin/actions/rollback-release.js'
import { previewConfigRollback } from '../../admin/rollback-config.js'
import { textsFor } from '../../i18n/catalogue.js'
import { previewReleaseRollback } from '../../admin/rollback-release.js'
import { DIGEST_PATTERN } from '../../store/releases.js'
import { cliDeps, reasonFlag, runBreakGlass } from '../break-glass.js'
import { EXIT, type CliCommand } from '../command.js'

// `routerctl rollback config` and `rollback release`: the /rollback restores, at once, from SSH.

const dryRun = { kind: 'switch' } as const

/**
 * `rollback config [--version <n>]`: the same restore as `/rollback config`, at once (SSH is the gate):
 * the default target is the config of the last known-good release; with none other than the current
 * version it is refused (exit 1) and `--version` must name one. `--dry-run` prints the diff and changes nothing.
 * @example routerctl rollback config --reason "bad budget change at 02:10"
 */
export const rollbackConfigCommand: CliCommand = {
  name: 'rollback config',
  summary: 'restore a runtime config version as a new version (default: last known-good; else name --version)',
  positionals: [],
  flags: {
    version: {
      kind: 'value',
      placeholder: '<n>',
      validate: (v) => (/^\d{1,9}$/.test(v) ? undefined : 'expected a version number, e.g. 12'),
    },
    'dry-run': dryRun,
    reason: reasonFlag,
  },
  mutates: true,
  async run({ args, io, session }) {
    const version = args.flags.version === undefined ? undefined : Number(args.flags.version)
    if (args.flags['dry-run']) {
      // Resolved as the action would: an impossible target is refused (exit 1) and nothing is written.
      io.out(
        `dry run, nothing changed:\n${previewConfigRollback(session.stores, version, textsFor('en'), 'routerctl')}`,
      )
      return EXIT.ok
    }
    const input = { target: 'config' as const, version, reason: String(args.flags.reason) }
    return (await runBreakGlass(session, io, rollbackConfigAction, input)).code
  },
}

/**
 * `rollback release [--digest <d>]`: writes the desired release (SQLite and desired-release.json) and
 * runs the configured hook, like `/rollback release`; exit 1 when the hook fails or times out (then
 * nothing else changed). Default target: the last known-good release other than the newest deploy.
 * @example routerctl rollback release --reason "5xx after the 14:00 deploy"
 */
export const rollbackReleaseCommand: CliCommand = {
  name: 'rollback release',
  summary: 'ask the host reconciler for an earlier release (default: last known-good) and run the rollback hook',
  positionals: [],
  flags: {
    digest: {
      kind: 'value',
      placeholder: '<digest>',
      validate: (v) => (DIGEST_PATTERN.test(v) ? undefined : 'expected a digest, e.g. sha256:<64 hex>'),
    },
    'dry-run': dryRun,
    reason: reasonFlag,
  },
  mutates: true,
  async run({ args, io, session }) {
    const digest = typeof args.flags.digest === 'string' ? args.flags.digest : undefined
    if (!session.config)
      io.err(
        'routerctl: warning: the bot configuration does not validate, so no rollback hook runs; the host reconciler still applies desired-release.json',
      )
    if (args.flags['dry-run']) {
      io.out(`dry run, nothing changed:\n${previewReleaseRollback(cliDeps(session, io), digest, textsFor('en'))}`)
      return EXIT.ok
    }
    const input = { target: 'release' as const, digest, reason: String(args.flags.reason) }
    return (await runBreakGlass(session, io, rollbackReleaseAction, input)).code
  },
}
