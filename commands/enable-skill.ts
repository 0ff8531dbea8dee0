import { z } from 'zod'
import { actionCall, defineCommand } from '../src/define.js'
import { checkSkill, enableSkill } from '../src/admin/actions/skill-toggle.js'

// /enable-skill <skill>: turns a skill back on, once a second operator approves.

export default defineCommand({
  name: 'enable-skill',
  description: 'Turn a skill back on',
  usage: '/enable-skill <skill>',
  positional: ['skill'],
  args: z.strictObject({ skill: z.string().trim().toLowerCase().min(1).max(64) }),
  // Widening exposure: a second operator must approve (CONTRACT.md). A skill that is on already opens no
  // request: the action answers that nothing would change.
  approval: (a, ctx) =>
    ctx.services.skills.get(a.skill) && !ctx.services.state.isSkillEnabled(a.skill) ? 'second-operator' : 'none',
  approvalNote: 'needs a second operator',
  preview: ({ args, ctx }) => {
    checkSkill(ctx.services, args.skill, ctx.texts)
    const flag = ctx.services.state.current().state.skills[args.skill]
    return ctx.texts.actions.enablePreview(args.skill, flag?.by ?? '', flag?.reason ?? '')
  },
  action: (a) => actionCall(enableSkill, { skill: a.skill }),
})
