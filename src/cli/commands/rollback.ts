import { planConfigRollback, previewConfigRollback, rollbackConfig } from '../../admin/rollback-config.js'
import { formatChanges } from '../../admin/rollback-diff.js'
import { previewReleaseRollback, rollbackRelease } from '../../admin/rollback-release.js'
import { configSchema } from '../../config-schema.js'
import { DIGEST_PATTERN } from '../../store/releases.js'
import { reasonFlag, runBreakGlass } from '../break-glass.js'
import { EXIT, type CliCommand } from '../command.js'
import { osUser } from '../os-user.js'
import { botConfig } from './ops-config.js'

const dryRun = { kind: 'switch' } as const

/**
 * `rollback config [--version <n>]`: the same restore as `/rollback config`, at once (SSH is the gate):
 * the default target is the last known-good version, else the one before the last change.
 * `--dry-run` prints the diff and changes nothing.
 * @example routerctl rollback config --reason "bad budget change at 02:10"
 */
export const rollbackConfigCommand: CliCommand = {
  name: 'rollback config',
  summary: 'restore a runtime config version as a new version (default: last known-good)',
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
  run({ args, io, session }) {
    const version = args.flags.version === undefined ? undefined : Number(args.flags.version)
    const reason = String(args.flags.reason)
    const deps = { state: session.stores.state, releases: session.stores.releases, audit: session.stores.audit }
    // Resolved before anything is written: an impossible target is refused (exit 1) without an entry.
    const preview = previewConfigRollback(deps, version)
    if (args.flags['dry-run']) {
      io.out(`dry run, nothing changed:\n${preview}`)
      return EXIT.ok
    }
    const plan = planConfigRollback(deps, version)
    const done = runBreakGlass(session, io, {
      action: 'rollback',
      args: { target: 'config', version },
      reason,
      summary: `restored runtime config v${plan.target.version} (was v${plan.current.version})`,
      unchanged: () =>
        planConfigRollback(deps, version).changes.length === 0
          ? `v${plan.target.version} equals the current config`
          : undefined,
      apply: (actor) => rollbackConfig(deps, { version, actor, channel: 'cli', reason, osUser: actor }),
    })
    if (!done.changed) {
      io.out(`${done.note}; nothing changed (audited as seq ${done.entry.seq}).`)
      return EXIT.ok
    }
    const r = done.result
    io.out(`restored config v${r.target} as the new v${r.restoredAs} (was v${r.from}); audit seq ${done.entry.seq}.`)
    for (const line of formatChanges(r.changes)) io.out(`  ${line}`)
    return EXIT.ok
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
    const reason = String(args.flags.reason)
    const config = botConfig(io)
    if (!config)
      io.err(
        'routerctl: warning: the bot configuration does not validate, so no rollback hook runs; the host reconciler still applies desired-release.json',
      )
    const deps = {
      ...session.stores,
      config: { db: session.dbPath, releases: config?.releases ?? configSchema.shape.releases.parse(undefined) },
    }
    const preview = previewReleaseRollback(deps, digest)
    if (args.flags['dry-run']) {
      io.out(`dry run, nothing changed:\n${preview}`)
      return EXIT.ok
    }
    const user = osUser(io.env)
    // The entry first, as for every break-glass change; the hook runs after it, outside the write lock.
    runBreakGlass(session, io, {
      action: 'rollback',
      args: { target: 'release', digest },
      reason,
      summary: `asked for a release rollback (${preview.split('\n')[0]})`,
      unchanged: () => undefined,
      apply: () => undefined,
    })
    const result = await rollbackRelease(deps, { digest, actor: user, channel: 'cli', osUser: user }, io.now())
    if (result.ok) io.out(result.summary)
    else io.err(`routerctl: ${result.summary}`)
    return result.ok ? EXIT.ok : EXIT.failed
  },
}
