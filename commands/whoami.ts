import { z } from 'zod'
import { defineCommand } from '../src/define.js'
import { markdownReply } from '../src/admin/markdown.js'

// /whoami: the identity the router sees for the operator who asks.

export default defineCommand({
  name: 'whoami',
  description: 'The identity the router sees for you',
  usage: '/whoami',
  args: z.strictObject({}),
  approval: 'none',
  handler: ({ ctx }) =>
    markdownReply(ctx.texts.admin.whoamiTitle(ctx.operator.name), [
      ctx.texts.admin.whoamiLines(ctx.operator.name, ctx.operator.staffId, ctx.conversationId, ctx.channel),
    ]),
})
