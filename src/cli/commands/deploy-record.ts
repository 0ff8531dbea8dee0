import { recordDeploy } from '../../admin/deploy-record.js'
import { EXIT, type CliCommand } from '../command.js'
import { cliIdentity } from '../os-user.js'

/**
 * `deploy record --digest <d> [--by <who>]`: what a pipeline calls after a deploy, the same event the
 * router records at start-up. It reports an outside fact and changes no control state, so it is not a
 * break-glass change and `--reason` is optional; it is audited (channel `cli`, the OS user) and announced.
 * @example routerctl deploy record --digest sha256:… --by "pipeline #812"
 */
export const deployRecordCommand: CliCommand = {
  name: 'deploy record',
  summary: 'record a deploy event (digest, who) unless it is already the newest one',
  positionals: [],
  flags: {
    digest: { kind: 'value', placeholder: '<digest>', required: true },
    by: { kind: 'value', placeholder: '<who>' },
    reason: { kind: 'value', placeholder: '"<text>"' },
  },
  mutates: false,
  run({ args, io, session }) {
    const who = cliIdentity(io.env)
    const digest = String(args.flags.digest)
    const by = typeof args.flags.by === 'string' ? args.flags.by : io.env.DEPLOYED_BY || 'unknown'
    const reason = typeof args.flags.reason === 'string' ? args.flags.reason : undefined
    const { deploy, created } = recordDeploy(
      session.stores,
      { digest, by, actor: who.actor, channel: 'cli', osUser: who.osUser, reason },
      io.now(),
    )
    if (!created) {
      io.out(
        `${digest} is already the newest deploy (#${deploy.id}, ${new Date(deploy.deployedAt).toISOString()}); nothing recorded.`,
      )
      return EXIT.ok
    }
    session.stores.outbox.add(
      `Deploy recorded: ${digest} by ${by} (routerctl, ${who.actor})${reason ? `: ${reason}` : ''}`,
      io.now(),
    )
    io.out(`recorded deploy #${deploy.id}: ${digest} by ${by}.`)
    return EXIT.ok
  },
}
