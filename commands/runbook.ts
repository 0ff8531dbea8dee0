import { z } from 'zod'
import { runbookAction } from '../src/admin/actions/runbook.js'
import { actionCall, defineCommand } from '../src/define.js'

// /runbook: readiness, error rate, running and known-good releases and egress connectivity in one reply.

export default defineCommand({
  name: 'runbook',
  description: 'Readiness, recent error rate, running digest and last deploy, last known-good, egress connectivity',
  usage: '/runbook',
  args: z.strictObject({}),
  approval: 'none',
  action: () => actionCall(runbookAction, {}),
  format: (done) => ({ title: 'Runbook', markdown: done.reply }),
})
