import { defineSkill } from '../src/define.js'
import { fromCatalogue } from '../src/i18n/localized.js'

// The `ping` skill: answers `pong`, the quickest check that the bot is alive.

export default defineSkill({
  name: 'ping',
  description: fromCatalogue((t) => t.skills.ping.description),
  example: 'ping',
  // `在吗` ("are you there?") is how a writer of Chinese checks.
  match: /^(?:ping|在吗[?？]?)$/i,
  risk: 'read',
  handler: ({ ctx }) => ctx.texts.skills.ping.reply,
})
