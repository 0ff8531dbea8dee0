import { z } from 'zod'
import { actionCall, defineCommand } from '../src/define.js'
import { describeIncident, isIncidentActive, isRiskyInIncident } from '../src/admin/incident-actions.js'
import { incidentAction, type IncidentChange } from '../src/admin/actions/incident.js'
import { parseDuration } from '../src/duration.js'

// /incident on|off: incident mode, which pauses risky skills while read-only fallbacks answer.

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
  // Switching on (or extending) narrows what the bot does, so it is instant; switching off widens it
  // again and needs a second operator. Off while it is off opens no request: the action says "already off".
  approval: (a, ctx) =>
    a.mode === 'off' && isIncidentActive(ctx.services.state.current().state.incident, ctx.services.now())
      ? 'second-operator'
      : 'none',
  approvalNote: 'off needs a second operator; on only extends while it is on',
  // What approving /incident off would change, shown with the approval request.
  preview: ({ args: a, ctx }) => {
    const s = ctx.services
    if (a.mode !== 'off') return ''
    const resumed = s.skills.skills
      .filter((d) => isRiskyInIncident(d, s.config.incident.riskySkills))
      .map((d) => d.name)
    const state = describeIncident(s.state.current().state.incident, s.now(), ctx.texts)
    return ctx.texts.incident.offPreview(state, resumed.join(', '))
  },
  action: (a) => actionCall(incidentAction, { mode: a.mode, reason: a.reason, ttl: a.ttl }),
  format: (done, ctx) => {
    const change = done.result as IncidentChange
    if (!change.after.on) return done.reply
    const s = ctx.services
    const t = ctx.texts.incident
    const held = s.skills.skills.filter((d) => isRiskyInIncident(d, s.config.incident.riskySkills))
    const names = (fallback: boolean) =>
      held
        .filter((d) => Boolean(d.fallback) === fallback)
        .map((d) => d.name)
        .join(', ')
    return {
      title: t.onTitle,
      markdown: [
        t.onHeading(change.extended),
        t.state(describeIncident(change.after, s.now(), ctx.texts)),
        t.paused(names(false)),
        t.fallbacks(names(true)),
        '',
        t.onFooter,
      ].join('\n'),
    }
  },
})
