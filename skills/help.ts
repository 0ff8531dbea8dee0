import { defineSkill } from '../src/define.js'

// The `help` skill: lists the skills this user may use right now, with an example each.

export default defineSkill({
  name: 'help',
  description: 'What I can do for you',
  example: 'help',
  match: /^(help|\?|帮助)$/i,
  risk: 'read',
  handler: ({ ctx }) => {
    const lines = ctx.catalog().map((s) => `- **${s.example}**: ${s.description}`)
    return { title: 'What I can do', markdown: ['### What I can do', ...lines].join('\n') }
  },
})
