import { z } from 'zod'
import { defineCommand } from '../src/define.js'
import {
  describeIncident,
  incidentNotice,
  incidentTtl,
  isIncidentActive,
  isRiskyInIncident,
  setIncident,
} from '../src/admin/incident-actions.js'
import { parseDuration } from '../src/duration.js'

const args = z
  .strictObject({
    mode: z.enum(['on', 'off']),
    reason: z.string().trim().min(1).max(200).optional(),
    ttl: z
      .string()
      .refine((t) => parseDuration(t) !== undefined, 'expected a duration like 30m, 4h or 1d')
      .optional(),
  })
  .refine((a) => a.mode === 'on' || a.ttl === undefined, { message: 'ttl= goes with /incident on only', path: ['ttl'] })

export default defineCommand({
  name: 'incident',
  description: 'Incident mode: risky skills paused, read-only fallbacks answer',
  usage: '/incident on [reason…] [ttl=<duration>] | /incident off',
  positional: ['mode', 'reason...'],
  args,
  // Switching on narrows what the bot does, so it is instant; switching off widens it again.
  approval: (a) => (a.mode === 'off' ? 'second-operator' : 'none'),
  // What approving /incident off would change, shown with the approval request.
  preview: ({ args: a, ctx }) => {
    const s = ctx.services
    if (a.mode !== 'off') return ''
    const resumed = s.skills.skills
      .filter((d) => isRiskyInIncident(d, s.config.incident.riskySkills))
      .map((d) => d.name)
    return `Incident mode is ${describeIncident(s.state.current().state.incident, s.now())}. Approving turns it off and resumes: ${resumed.join(', ') || 'no skills (none is risky)'}.`
  },
  handler: ({ args: a, ctx }) => {
    const s = ctx.services
    const on = a.mode === 'on'
    const change = setIncident(s, {
      on,
      reason: a.reason,
      ttlMs: on ? incidentTtl(s.config, a.ttl) : undefined,
      actor: ctx.operator.name,
    })
    const now = s.now()
    if (change.changed) s.outbox.add(incidentNotice(change, now, ctx.channel), now)
    if (!on) return change.changed ? 'Incident mode is off. Risky skills are back.' : 'Incident mode was already off.'
    const held = s.skills.skills.filter((d) => isRiskyInIncident(d, s.config.incident.riskySkills))
    const paused = held.filter((d) => !d.fallback).map((d) => d.name)
    const fallback = held.filter((d) => d.fallback).map((d) => d.name)
    return {
      title: 'Incident mode on',
      markdown: [
        `### Incident mode ${isIncidentActive(change.before, now) ? 'extended' : 'on'}`,
        `- **State:** ${describeIncident(change.after, now)}`,
        `- **Paused:** ${paused.join(', ') || 'none'}`,
        `- **Answering from fallbacks:** ${fallback.join(', ') || 'none'}`,
        '',
        'Read-only skills keep working. /incident off needs a second operator.',
      ].join('\n'),
    }
  },
})
