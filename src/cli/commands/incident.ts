import { incidentNotice, incidentTtl, isIncidentActive, setIncident } from '../../admin/incident-actions.js'
import { configSchema } from '../../config-schema.js'
import { isUserError } from '../../errors.js'
import { reasonFlag, runBreakGlass } from '../break-glass.js'
import { CliFailure, EXIT, type CliCommand } from '../command.js'
import { botConfig } from './ops-config.js'

/**
 * `incident on [--ttl <duration>]` and `incident off`: the same effect as `/incident`, at once (SSH is the
 * gate, so `off` needs no second operator here), audited as break-glass and announced by the running bot.
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
    run({ args, io, session }) {
      // Break-glass must work with a broken config file: the incident settings then take their defaults.
      const config = botConfig(io) ?? configSchema.parse({})
      const reason = String(args.flags.reason)
      let ttlMs: number | undefined
      try {
        ttlMs = on ? incidentTtl(config, args.flags.ttl === undefined ? undefined : String(args.flags.ttl)) : undefined
      } catch (err) {
        if (isUserError(err)) throw new CliFailure(err.message)
        throw err
      }
      const deps = { state: session.stores.state, config, now: io.now }
      const done = runBreakGlass(session, io, {
        action: 'incident',
        args: { mode: on ? 'on' : 'off', ...(ttlMs ? { ttlMs } : {}) },
        reason,
        summary: on ? 'turned incident mode ON' : 'turned incident mode OFF',
        unchanged: () =>
          !on && !isIncidentActive(session.stores.state.current().state.incident, io.now())
            ? 'incident mode is already off'
            : undefined,
        apply: (actor) => setIncident(deps, { on, reason, ttlMs, actor }),
      })
      if (!done.changed) {
        io.out(`${done.note}; nothing changed (audited as seq ${done.entry.seq}).`)
        return EXIT.ok
      }
      io.out(incidentNotice(done.result, io.now(), 'cli'))
      io.out(`(state version ${done.result.version}, audit seq ${done.entry.seq})`)
      return EXIT.ok
    },
  }
}
