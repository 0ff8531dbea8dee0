import { z } from 'zod'
import { defineCommand } from '../src/define.js'
import { isoSeconds, markdownReply } from '../src/admin/markdown.js'
import type { AuditEntry } from '../src/store/audit.js'

const MAX = 50

export default defineCommand({
  name: 'audit',
  description: `The last n audit entries (default 10, at most ${MAX}), newest first`,
  usage: '/audit [n] [actor=<name>] [action=<name>]',
  positional: ['n'],
  args: z.strictObject({
    // More than the maximum is clamped rather than refused: at 3 a.m. an answer beats a lecture.
    n: z.coerce
      .number()
      .int()
      .min(1)
      .default(10)
      .transform((n) => Math.min(n, MAX)),
    actor: z.string().min(1).max(128).optional(),
    action: z.string().min(1).max(64).optional(),
  }),
  approval: 'none',
  handler: ({ args, ctx }) => {
    const entries = ctx.services.audit.recent(args.n, { actor: args.actor, action: args.action })
    const filter = [args.actor && `actor=${args.actor}`, args.action && `action=${args.action}`]
      .filter(Boolean)
      .join(' ')
    const heading = `Last ${entries.length} audit entries${filter ? ` (${filter})` : ''}`
    if (entries.length === 0) return `No audit entries${filter ? ` match ${filter}` : ''}.`
    return markdownReply(heading, [`### ${heading}`, ...entries.map((e) => `- ${line(e)}`)])
  },
})

/** `#42 2026-11-23T23:01:05Z alice enable-skill approved k3x9q2m7ta`: the one line an operator scans. */
function line(e: AuditEntry): string {
  const flags = [e.approvalId, e.breakGlass ? 'BREAK-GLASS' : undefined].filter(Boolean).join(' ')
  return `#${e.seq} ${isoSeconds(Date.parse(e.ts))} ${e.actor} ${e.action} **${e.outcome}**${flags ? ` ${flags}` : ''}`
}
