import { defineSkill } from '../src/define.js'
import { fromCatalogue } from '../src/i18n/localized.js'

// The `help` skill: lists the skills this user may use right now, with an example each.

export default defineSkill({
  name: 'help',
  description: fromCatalogue((t) => t.skills.help.description),
  example: fromCatalogue((t) => t.skills.help.example),
  // `帮助` is what a writer of Chinese types; its reply is then in Chinese (see i18n/locale.ts).
  match: /^(?:help|\?|？|帮助)$/i,
  risk: 'read',
  handler: ({ ctx }) => {
    const texts = ctx.texts.skills.help
    const lines = ctx.catalog().map((s) => texts.line(s.example, s.description))
    return { title: texts.title, markdown: [texts.heading, ...lines].join('\n') }
  },
})
