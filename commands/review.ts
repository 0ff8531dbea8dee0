import { z } from 'zod'
import { actionCall, defineCommand } from '../src/define.js'
import { reviewAckAction } from '../src/admin/actions/review-ack.js'
import type { CommandContext } from '../src/context.js'
import { markdownReply } from '../src/admin/markdown.js'
import { isoSeconds } from '../src/time-text.js'

// /review: break-glass (routerctl) actions not yet reviewed, and `ack <seq>` to mark one reviewed.

const SHOWN = 20

export default defineCommand({
  name: 'review',
  description: 'Break-glass (routerctl) actions not yet reviewed; `ack <seq>` marks one reviewed',
  usage: '/review [ack <seq>]',
  positional: ['action', 'seq'],
  args: z
    .strictObject({ action: z.literal('ack').optional(), seq: z.coerce.number().int().positive().optional() })
    .refine((a) => (a.action === undefined) === (a.seq === undefined), 'to mark one reviewed: /review ack <seq>'),
  approval: 'none',
  action: (a) => (a.seq === undefined ? undefined : actionCall(reviewAckAction, { seq: a.seq })),
  handler: ({ ctx }) => list(ctx),
})

function list(ctx: CommandContext) {
  const t = ctx.texts.admin
  const { entries, total } = ctx.services.audit.unreviewedBreakGlass(SHOWN)
  if (total === 0) return t.reviewNone
  const heading = t.reviewTitle(total)
  return markdownReply(heading, [
    `### ${heading}`,
    ...entries.map(
      (e) =>
        `- #${e.seq} ${isoSeconds(Date.parse(e.ts))} ${e.actor}${e.osUser ? t.osUser(e.osUser) : ''} ${t.via(e.channel)}: ` +
        `${e.action} ${e.outcome}${e.detail ? ` — ${e.detail.slice(0, 120)}` : ''}`,
    ),
    ...(total > entries.length ? [t.reviewMore(total - entries.length)] : []),
    '',
    t.reviewFooter,
  ])
}
