import { z } from 'zod'
import { defineCommand } from '../src/define.js'
import { setSkillEnabled } from '../src/admin/skill-actions.js'

export default defineCommand({
  name: 'disable-skill',
  description: 'Turn a skill off at once (takes effect before the next message)',
  usage: '/disable-skill <skill> [reason…]',
  positional: ['skill', 'reason...'],
  args: z.strictObject({
    skill: z.string().trim().toLowerCase().min(1).max(64),
    reason: z.string().trim().max(200).optional(),
  }),
  // Narrowing exposure is instant; turning it back on needs a second operator.
  approval: 'none',
  handler: ({ args, ctx }) => {
    const version = setSkillEnabled(ctx.services, args.skill, false, ctx.operator.name, args.reason)
    if (version === undefined) return `"${args.skill}" was already off; nothing changed.`
    const why = args.reason ? `: ${args.reason}` : ''
    ctx.services.outbox.add(
      `Skill **${args.skill}** turned OFF by ${ctx.operator.name}${why} (state v${version}).`,
      ctx.services.now(),
    )
    return (
      `"${args.skill}" is off (state v${version}). Users get a "turned off" answer from the next message on. ` +
      `Turn it back on with /enable-skill ${args.skill} (needs a second operator).`
    )
  },
})
