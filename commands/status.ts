import { z } from 'zod'
import { defineCommand } from '../src/define.js'
import { markdownReply, table } from '../src/admin/markdown.js'
import { isoSeconds } from '../src/time-text.js'
import { collectStatus, describeErrorRate, skillCounts, skillState, type StatusFacts } from '../src/status.js'
import { formatUsage } from '../src/admin/budget-actions.js'
import type { Texts } from '../src/i18n/catalogue.js'

// /status: version, uptime, stream, incident mode, skills, error rate and pending approvals.

export default defineCommand({
  name: 'status',
  description: 'Version, uptime, stream, incident mode, skills, error rate, pending approvals',
  usage: '/status',
  args: z.strictObject({}),
  approval: 'none',
  handler: ({ ctx }) => {
    const { texts } = ctx
    const t = texts.status
    const now = ctx.services.now()
    const s = collectStatus(ctx.services, now)
    const { off, paused } = skillCounts(s.skills)
    const headline = `${s.stream}${s.incident.on ? t.incidentFlag : ''}${paused ? t.skillsPausedFlag(paused) : ''}${off ? t.skillsOffFlag(off) : ''}${s.ignoredStateVersions.length ? t.unauditedFlag : ''}`
    return markdownReply(t.title(headline), [
      t.heading,
      t.version(s.version, s.digest),
      t.uptime(uptime(s.uptimeSeconds, texts)),
      t.stream(s.stream),
      t.incident(incidentLine(s.incident, now, texts)),
      t.errors(s.errorRate.windowMinutes, describeErrorRate(s.errorRate, 'words', texts)),
      t.pending(s.pendingApprovals),
      ...(s.outbox.waiting || s.outbox.undelivered ? [t.outbox(s.outbox.waiting, s.outbox.undelivered)] : []),
      ...(s.queue ? [t.queue(s.queue.depth, s.queue.oldestWaitSeconds, s.queue.busyWorkers, s.queue.workers)] : []),
      t.stateVersion(s.stateVersion),
      ...(s.ignoredStateVersions.length ? [t.ignored(s.ignoredStateVersions.map((v) => `v${v}`).join(', '))] : []),
      ...(s.mode === 'simulator' ? [t.simulator] : []),
      ...(s.database?.warning ? [t.database(s.database.warning)] : []),
      ...(s.modelUsage?.length
        ? ['', t.modelUsage, ...s.modelUsage.map((u) => `- **${u.route}:** ${formatUsage(u, texts)}`)]
        : []),
      '',
      ...table(
        [t.colSkill, t.colState, t.colRisk],
        s.skills.map((k) => [k.name, skillState(k, texts), k.risk]),
      ),
    ])
  },
})

function incidentLine(i: StatusFacts['incident'], now: number, texts: Texts): string {
  const t = texts.status
  if (!i.on) return t.incidentOff
  const parts = [t.incidentOn]
  if (i.by) parts.push(t.by(i.by))
  if (i.since) parts.push(t.since(isoSeconds(i.since)))
  if (i.reason) parts.push(`— ${i.reason}`)
  if (i.expiresAt) parts.push(t.endsIn(texts.time.in(i.expiresAt - now)))
  return parts.join(' ')
}

function uptime(seconds: number | null, texts: Texts): string {
  if (seconds === null) return texts.status.uptimeUnknown
  return seconds < 1 ? texts.status.justStarted : texts.time.duration(seconds * 1000)
}
