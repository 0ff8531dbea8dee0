import { incidentAction } from '../../admin/actions/incident.js'
import { reasonFlag, runBreakGlass } from '../break-glass.js'
import type { CliCommand } from '../command.js'

/**
 * `incident on [--ttl <duration>]` and `incident off`: the same action as `/incident`, at once (SSH is the
 * gate, so `off` needs no second operator here), audited as break-glass and announced by the running bot.
 * While incident mode is on, `on` may only extend it, as in chat.
 * @example routerctl incident on --ttl 2h --reason "payments DB failover"
 */
export function incidentCommand(on: boolean): CliCommand {
  return {
    name: `incident ${on ? 'on' : 'off'}`,
    summary: on
      ? 'incident mode on: risky skills pause, read-only fallbacks answer'
      : 'incident mode off: risky skills resume',
    positionals: [],
    flags: on ? { ttl: { kind: 'value', placeholder: '<duration>' }, reason: reasonFlag } : { reason: reasonFlag },
    mutates: true,
    async run({ args, io, session }) {
      const ttl = on && args.flags.ttl !== undefined ? String(args.flags.ttl) : undefined
      const input = { mode: on ? ('on' as const) : ('off' as const), reason: String(args.flags.reason), ttl }
      return (await runBreakGlass(session, io, incidentAction, input)).code
    },
  }
}
