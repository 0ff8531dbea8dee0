import { z } from 'zod'
import { defineCommand } from '../src/define.js'
import { markdownReply, table } from '../src/admin/markdown.js'
import { skillCounts, skillState, skillsNow, type SkillStatus } from '../src/status.js'

// /skills: every skill with its state, risk, egress and breaker state.

export default defineCommand({
  name: 'skills',
  description: 'Every skill with its state, risk, egress and breaker state',
  usage: '/skills',
  args: z.strictObject({}),
  approval: 'none',
  handler: ({ ctx }) => {
    const t = ctx.texts.status
    const skills = skillsNow(ctx.services, ctx.services.now())
    const { on, paused, off } = skillCounts(skills)
    return markdownReply(t.skillsTitle(on, off, paused), [
      t.skillsHeading(on, off, paused),
      ...table(
        [t.colSkill, t.colState, t.colRisk, t.colEgress, t.colBreaker],
        skills.map((s) => [
          s.name,
          skillState(s, ctx.texts),
          s.risk,
          s.egress.length ? s.egress.join(', ') : t.none,
          breakerText(s),
        ]),
      ),
    ])
  },
})

/** `closed` when every destination is healthy; otherwise the destinations that are not (breaker states are data). */
function breakerText(s: SkillStatus): string {
  const entries = Object.entries(s.breakers)
  if (entries.length === 0) return '—'
  const unhealthy = entries.filter(([, state]) => state !== 'closed')
  return unhealthy.length === 0 ? 'closed' : unhealthy.map(([d, state]) => `${d}: ${state}`).join(', ')
}
