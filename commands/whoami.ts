import { z } from 'zod'
import { defineCommand } from '../src/define.js'
import { markdownReply } from '../src/admin/markdown.js'

export default defineCommand({
  name: 'whoami',
  description: 'The identity the router sees for you',
  usage: '/whoami',
  args: z.strictObject({}),
  approval: 'none',
  handler: ({ ctx }) =>
    markdownReply(`You are ${ctx.operator.name}`, [
      '### Who the router sees',
      `- **Operator:** ${ctx.operator.name}`,
      `- **staffId:** ${ctx.operator.staffId}`,
      `- **Conversation:** ${ctx.conversationId} (an admin conversation)`,
      `- **Channel:** ${ctx.channel}`,
      '',
      "You may command the router because your staffId is an operator's AND you wrote in an admin conversation. " +
        "DingTalk's isAdmin flag and display names grant nothing.",
    ]),
})
