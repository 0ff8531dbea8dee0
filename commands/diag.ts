import { z } from 'zod'
import { defineCommand } from '../src/define.js'
import { diagSummary } from '../src/admin/diag.js'

// /diag [route]: the short summary of stored error events, within the route's diagnostic budget.

export default defineCommand({
  name: 'diag',
  description: "Short summary of stored error events, within the route's diagnostic budget",
  usage: '/diag [route]',
  positional: ['route'],
  args: z.strictObject({ route: z.string().min(1).max(64).optional() }),
  approval: 'none',
  handler: ({ args, ctx }) => diagSummary(ctx.services, args.route, ctx.services.now(), ctx.texts),
})
