import { z } from 'zod'
import { actionCall, defineCommand } from '../src/define.js'
import { disableSkill } from '../src/admin/actions/skill-toggle.js'

// /disable-skill <skill> [reason]: turns a skill off before the next message.

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
  action: (a) => actionCall(disableSkill, { skill: a.skill, reason: a.reason }),
})
