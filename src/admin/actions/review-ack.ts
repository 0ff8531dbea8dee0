import { UserError } from '../../errors.js'
import { isoSeconds } from '../../time-text.js'
import { replyTexts, type AdminAction } from './action.js'

/**
 * Marks a break-glass entry reviewed. The review is this action's own `executed` entry in the chain
 * (args.seq names the reviewed entry), so /review is derived from the chain; the write lock picks one
 * winner when two operators ack at once.
 */
export const reviewAckAction: AdminAction<{ seq: number }, { left: number }> = {
  name: 'review-ack',
  apply(deps, input, actor) {
    const { audit } = deps
    const t = replyTexts(deps, actor).actions
    const entry = audit.get(input.seq)
    if (!entry) throw new UserError(t.noEntry(input.seq), 'unknown_seq')
    if (!entry.breakGlass) throw new UserError(t.notBreakGlass(input.seq, entry.actor, entry.action), 'not_break_glass')
    const done = audit.reviewOf(input.seq)
    if (done)
      throw new UserError(
        t.alreadyReviewed(input.seq, done.reviewedBy, isoSeconds(done.reviewedAt)),
        'already_reviewed',
      )
    // This entry is not written yet, so the one being acked still counts among those waiting.
    const left = audit.unreviewedBreakGlass(0).total - 1
    return {
      kind: 'change',
      args: { seq: input.seq, action: entry.action, actor: entry.actor },
      result: { left },
      reply: t.reviewed(input.seq, entry.actor, entry.action, actor.name, left),
    }
  },
}
