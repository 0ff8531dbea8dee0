import { defineSkill } from '../src/define.js'

// The `ping` skill: answers `pong`, the quickest check that the bot is alive.

export default defineSkill({
  name: 'ping',
  description: 'Check that the bot is alive',
  example: 'ping',
  match: /^ping$/i,
  risk: 'read',
  handler: () => 'pong',
})
