import { defineSkill } from '../../src/define.js'

/** How long the bench-only `sleep` skill takes; the ack must not wait for it. */
export const SLEEP_MS = 2000

/**
 * Bench-only skill: answers after two seconds, so the latency phase can show that a slow skill does not
 * delay the ack. Added by the router entry only; never part of skills/index.ts.
 */
export default defineSkill({
  name: 'sleep',
  description: 'Bench only: answers after 2 s',
  example: 'sleep',
  match: /^sleep$/,
  risk: 'read',
  handler: () => new Promise<string>((resolve) => setTimeout(() => resolve('slept'), SLEEP_MS)),
})
