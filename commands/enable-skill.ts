import { z } from 'zod'
import { defineCommand } from '../src/define.js'
import { setSkillEnabled } from '../src/admin/skill-actions.js'
import { UserError } from '../src/errors.js'

export default defineCommand({
  name: 'enable-skill',
  description: 'Turn a skill back on',
  usage: '/enable-skill <skill>',
  positional: ['skill'],
  args: z.strictObject({ skill: z.string().trim().toLowerCase().min(1).max(64) }),
  // Widening exposure: a second operator must approve (CONTRACT.md).
  approval: 'second-operator',
  preview: ({ args, ctx }) => {
    const { skills, state } = ctx.services
    // Refuse a typo before a colleague is asked to approve it.
    if (!skills.get(args.skill)) {
      throw new UserError(
        `No skill named "${args.skill}". Known skills: ${skills.skills.map((s) => s.name).join(', ')}.`,
        'unknown_skill',
      )
    }
    const flag = state.current().state.skills[args.skill]
    if (flag?.enabled ?? true) return `"${args.skill}" is already on; approving changes nothing.`
    return `"${args.skill}" is off now${flag?.by ? ` (turned off by ${flag.by}${flag.reason ? `: ${flag.reason}` : ''})` : ''}; approving turns it on for every user.`
  },
  handler: ({ args, ctx }) => {
    const request = ctx.approvalId ? ctx.services.approvals.get(ctx.approvalId) : undefined
    const actor = request ? `${ctx.operator.name} (requested by ${request.requesterName})` : ctx.operator.name
    const version = setSkillEnabled(
      ctx.services,
      args.skill,
      true,
      ctx.operator.name,
      request ? `approval ${request.id}` : undefined,
    )
    if (version === undefined) return `"${args.skill}" was already on; nothing changed.`
    const via = request ? `, approval ${request.id}` : ''
    ctx.services.outbox.add(
      `Skill **${args.skill}** turned ON by ${actor} (state v${version}${via}).`,
      ctx.services.now(),
    )
    return `"${args.skill}" is on again (state v${version}).`
  },
})
