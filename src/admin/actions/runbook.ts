import { collectRunbook, formatRunbook } from '../runbook.js'
import { replyTexts, type AdminAction } from './action.js'

/**
 * `/runbook`: the on-call facts. The call is committed first (`executed`); the egress probes and the
 * readiness check run after it and are audited as their own `runbook-probe` entry linked to it, with
 * each destination's result.
 */
export const runbookAction: AdminAction<Record<string, never>, undefined> = {
  name: 'runbook',
  apply: () => ({ kind: 'change', args: {}, result: undefined, reply: '' }),
  async after(deps, _input, _done, actor) {
    const now = deps.now()
    const facts = await collectRunbook(deps, { now, readiness: deps.runtime?.readiness })
    return {
      action: 'runbook-probe',
      // The probes ran: an unreachable destination is a finding recorded in args, not a failed probe run.
      ok: true,
      args: {
        ready: facts.readiness?.ready ?? null,
        errors: { messages: facts.errorRate.messages, errors: facts.errorRate.errors },
        probes: facts.connectivity.map((c) => ({ destination: c.destination, ok: c.ok, ms: c.ms })),
      },
      reply: formatRunbook(facts, now, replyTexts(deps, actor)),
    }
  },
}
