import { z } from 'zod'
import { defineCommand } from '../src/define.js'
import { formatArgs } from '../src/admin/approval-text.js'
import { markdownReply } from '../src/admin/markdown.js'
import { isoSeconds } from '../src/time-text.js'
import { formatDuration } from '../src/duration.js'

export default defineCommand({
  name: 'pending',
  description: 'Open approval requests and when they expire',
  usage: '/pending',
  args: z.strictObject({}),
  approval: 'none',
  handler: ({ ctx }) => {
    const now = ctx.services.now()
    const open = ctx.services.approvals.pending(now)
    if (open.length === 0) return 'No approval requests are open.'
    return markdownReply(`${open.length} pending approval(s)`, [
      `### Pending approvals (${open.length})`,
      ...open.map((r) => {
        const args = formatArgs(r.args)
        // A row edited behind the router's back can never be approved; say so rather than let someone try.
        const warning = ctx.services.approvals.intact(r) ? '' : ' · **TAMPERED: cannot be approved**'
        return (
          `- \`/approve ${r.id}\` — \`/${r.command}${args ? ` ${args}` : ''}\` by ${r.requesterName}, ` +
          `expires in ${formatDuration(r.expiresAt - now)} (${isoSeconds(r.expiresAt)})${warning}`
        )
      }),
      '',
      'A different operator than the requester approves; anyone may /deny.',
    ])
  },
})
