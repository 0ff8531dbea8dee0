import { z } from 'zod'
import { defineCommand } from '../src/define.js'
import type { CommandContext } from '../src/context.js'
import { isoSeconds, markdownReply } from '../src/admin/markdown.js'
import { UserError } from '../src/errors.js'

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
  handler: ({ args, ctx }) => (args.seq === undefined ? list(ctx) : ack(args.seq, ctx)),
})

function list(ctx: CommandContext) {
  const { entries, total } = ctx.services.audit.unreviewedBreakGlass(SHOWN)
  if (total === 0) return 'No break-glass actions are waiting for review.'
  const heading = `${total} break-glass action(s) to review`
  return markdownReply(heading, [
    `### ${heading}`,
    ...entries.map(
      (e) =>
        `- #${e.seq} ${isoSeconds(Date.parse(e.ts))} ${e.actor}${e.osUser ? ` (os user ${e.osUser})` : ''} via ${e.channel}: ` +
        `${e.action} ${e.outcome}${e.detail ? ` — ${e.detail.slice(0, 120)}` : ''}`,
    ),
    ...(total > entries.length ? [`- … and ${total - entries.length} more`] : []),
    '',
    'Mark one reviewed with: /review ack <seq>',
  ])
}

function ack(seq: number, ctx: CommandContext): string {
  const { audit } = ctx.services
  const reviewer = ctx.operator.name
  // The review row and its audit entry commit together; the row's primary key picks one winner.
  return audit.transaction(() => {
    const entry = audit.get(seq)
    if (!entry) throw new UserError(`No audit entry #${seq}. /review lists the ones waiting.`, 'unknown_seq')
    if (!entry.breakGlass)
      throw new UserError(
        `#${seq} (${entry.actor} ${entry.action}) is not a break-glass action; only those need review.`,
        'not_break_glass',
      )
    const done = audit.reviewOf(seq)
    if (done || !audit.markReviewed(seq, reviewer)) {
      throw new UserError(
        `#${seq} was already reviewed${done ? ` by ${done.reviewedBy} at ${isoSeconds(done.reviewedAt)}` : ''}.`,
        'already_reviewed',
      )
    }
    audit.append({
      actor: reviewer,
      channel: ctx.channel,
      action: 'review-ack',
      args: { seq, action: entry.action, actor: entry.actor },
      outcome: 'executed',
    })
    const left = audit.unreviewedBreakGlass(0).total
    return `#${seq} (${entry.actor}: ${entry.action}) marked reviewed by ${reviewer}. ${left === 0 ? 'Nothing else waits for review.' : `${left} left; see /review.`}`
  })
}
