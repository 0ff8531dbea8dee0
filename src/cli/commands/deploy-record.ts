import { recordDeploy } from '../../admin/deploy-record.js'
import { EXIT, type CliCommand } from '../command.js'
import { cliIdentity } from '../os-user.js'
import { cliDeps } from '../break-glass.js'
import { noticeTexts } from '../../admin/actions/action.js'

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
    // The notice is for the admin group, in its language; what routerctl prints stays English.
    const notice = noticeTexts(cliDeps(session, io)).actions.deployRecorded(digest, by, who.actor, reason ?? '')
    session.stores.outbox.add(notice, io.now())
    io.out(`recorded deploy #${deploy.id}: ${digest} by ${by}.`)
    return EXIT.ok
  },
}
