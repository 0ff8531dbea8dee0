import { z } from 'zod'
import { defineCommand } from '../src/define.js'
import { markdownReply } from '../src/admin/markdown.js'
import { isoSeconds } from '../src/time-text.js'
import type { AuditEntry } from '../src/store/audit.js'

// /audit: the newest audit entries, filtered by actor or action, operators' own first.

const MAX = 50
const WORDS = /^(?:all|\d{1,6})(?: (?:all|\d{1,6}))?$/

export default defineCommand({
  name: 'audit',
  description: `The last n audit entries (default 10, at most ${MAX}), newest first; operators' own actions unless "all"`,
  usage: '/audit [all] [n] [actor=<name>] [action=<name>]',
  positional: ['words...'],
  args: z
    .strictObject({
      words: z.string().regex(WORDS, 'expected "all" and/or a number').optional(),
      actor: z.string().min(1).max(128).optional(),
      action: z.string().min(1).max(64).optional(),
    })
    .transform(({ words, ...rest }) => {
      const list = words?.split(' ') ?? []
      const n = Number(list.find((w) => w !== 'all') ?? 10)
      // More than the maximum is clamped rather than refused: at 3 a.m. an answer beats a lecture.
      return { ...rest, all: list.includes('all'), n: Math.min(Math.max(n, 1), MAX) }
    }),
  approval: 'none',
  handler: ({ args, ctx }) => {
    const { audit, refusals, now } = ctx.services
    // Counted refusals are written now, so nothing anyone tried is missing from what the operator reads.
    refusals.flush(now(), { all: true })
    const withoutRefusals = !args.all && !args.actor
    const entries = audit.recent(args.n, { actor: args.actor, action: args.action, withoutRefusals })
    const filter = [args.all && 'all', args.actor && `actor=${args.actor}`, args.action && `action=${args.action}`]
      .filter(Boolean)
      .join(' ')
    const t = ctx.texts.admin
    const what = t.auditWhat(withoutRefusals)
    const heading = t.auditHeading(entries.length, what, filter)
    const others = withoutRefusals ? audit.refusalsByOthers() : { entries: 0, attempts: 0 }
    const footer = others.entries ? ['', t.auditHidden(others.entries, others.attempts)] : []
    // The rows themselves are data (actor, action, outcome word, approval id) and read the same in every language.
    if (entries.length === 0) return [t.auditNone(what, filter), ...footer].join('\n')
    return markdownReply(heading, [`### ${heading}`, ...entries.map((e) => `- ${line(e)}`), ...footer])
  },
})

/** `#42 2026-11-23T23:01:05Z alice enable-skill approved k3x9q2m7ta`: the one line an operator scans. */
function line(e: AuditEntry): string {
  const count = typeof e.args.count === 'number' && e.outcome === 'rejected' ? ` ×${e.args.count}` : ''
  const flags = [e.approvalId, e.breakGlass ? 'BREAK-GLASS' : undefined].filter(Boolean).join(' ')
  return `#${e.seq} ${isoSeconds(Date.parse(e.ts))} ${e.actor} ${e.action} **${e.outcome}**${count}${flags ? ` ${flags}` : ''}`
}
