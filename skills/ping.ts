import { defineSkill } from '../src/define.js'

export default defineSkill({
  name: 'ping',
  description: 'Check that the bot is alive',
  example: 'ping',
  match: /^ping$/i,
  risk: 'read',
  handler: () => 'pong',
})
