import { z } from 'zod'
import { defineCommand } from '../src/define.js'
import { markdownReply } from '../src/admin/markdown.js'
import { isoSeconds } from '../src/time-text.js'
import type { AuditEntry } from '../src/store/audit.js'

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
    const what = withoutRefusals ? 'operator and system entries' : 'audit entries'
    const heading = `Last ${entries.length} ${what}${filter ? ` (${filter})` : ''}`
    const others = withoutRefusals ? audit.refusalsByOthers() : { entries: 0, attempts: 0 }
    const footer = others.entries
      ? [
          '',
          `Not shown: ${others.entries} entr${others.entries === 1 ? 'y' : 'ies'} of refused commands by non-operators (${others.attempts} attempt${others.attempts === 1 ? '' : 's'}); /audit all lists them.`,
        ]
      : []
    if (entries.length === 0) return [`No ${what}${filter ? ` match ${filter}` : ''}.`, ...footer].join('\n')
    return markdownReply(heading, [`### ${heading}`, ...entries.map((e) => `- ${line(e)}`), ...footer])
  },
})

/** `#42 2026-11-23T23:01:05Z alice enable-skill approved k3x9q2m7ta`: the one line an operator scans. */
function line(e: AuditEntry): string {
  const count = typeof e.args.count === 'number' && e.outcome === 'rejected' ? ` ×${e.args.count}` : ''
  const flags = [e.approvalId, e.breakGlass ? 'BREAK-GLASS' : undefined].filter(Boolean).join(' ')
  return `#${e.seq} ${isoSeconds(Date.parse(e.ts))} ${e.actor} ${e.action} **${e.outcome}**${count}${flags ? ` ${flags}` : ''}`
}
