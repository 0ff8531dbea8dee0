import { z } from 'zod'
import { collectRunbook, formatRunbook } from '../src/admin/runbook.js'
import { defineCommand } from '../src/define.js'

export default defineCommand({
  name: 'runbook',
  description: 'Readiness, recent error rate, running digest and last deploy, last known-good, egress connectivity',
  usage: '/runbook',
  args: z.strictObject({}),
  approval: 'none',
  async handler({ ctx }) {
    const s = ctx.services
    const now = s.now()
    const facts = await collectRunbook(s, { now, readiness: s.runtime.readiness })
    return { title: 'Runbook', markdown: formatRunbook(facts, now) }
  },
})
