import { z } from 'zod'
import { defineCommand } from '../src/define.js'
import { commandLine } from '../src/admin/approval-text.js'
import { markdownReply } from '../src/admin/markdown.js'
import { isoSeconds } from '../src/time-text.js'

// /pending: the open approval requests and when each expires.

export default defineCommand({
  name: 'pending',
  description: 'Open approval requests and when they expire',
  usage: '/pending',
  args: z.strictObject({}),
  approval: 'none',
  handler: ({ ctx }) => {
    const now = ctx.services.now()
    const t = ctx.texts
    const open = ctx.services.approvals.pending(now)
    if (open.length === 0) return t.admin.noPending
    return markdownReply(t.admin.pendingTitle(open.length), [
      t.admin.pendingHeading(open.length),
      ...open.map((r) => {
        // A row edited behind the router's back can never be approved; say so rather than let someone try.
        const warning = ctx.services.approvals.intact(r) ? '' : t.admin.pendingTampered
        const expiresIn = t.time.duration(r.expiresAt - now)
        return `${t.admin.pendingLine(`/approve ${r.id}`, commandLine(r), r.requesterName, expiresIn, isoSeconds(r.expiresAt))}${warning}`
      }),
      '',
      t.admin.pendingFooter,
    ])
  },
})
