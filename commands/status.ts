import { z } from 'zod'
import { defineCommand } from '../src/define.js'
import { formatDuration } from '../src/duration.js'
import { markdownReply, table } from '../src/admin/markdown.js'
import { isoSeconds } from '../src/time-text.js'
import { collectStatus, describeErrorRate, type StatusFacts } from '../src/status.js'
import { formatUsage } from '../src/admin/budget-actions.js'

export default defineCommand({
  name: 'status',
  description: 'Version, uptime, stream, incident mode, skills, error rate, pending approvals',
  usage: '/status',
  args: z.strictObject({}),
  approval: 'none',
  handler: ({ ctx }) => {
    const now = ctx.services.now()
    const s = collectStatus(ctx.services, now)
    const off = s.skills.filter((k) => !k.enabled)
    const headline = `${s.stream}${s.incident.on ? ', INCIDENT MODE' : ''}${off.length ? `, ${off.length} skill(s) off` : ''}${s.ignoredStateVersions.length ? ', UNAUDITED STATE IGNORED' : ''}`
    return markdownReply(`Status: ${headline}`, [
      '### Router status',
      `- **Version:** ${s.version} (digest \`${s.digest}\`)`,
      `- **Uptime:** ${uptime(s.uptimeSeconds)}`,
      `- **Stream:** ${s.stream}`,
      `- **Incident mode:** ${incidentLine(s.incident, now)}`,
      `- **Errors (${s.errorRate.windowMinutes} min):** ${describeErrorRate(s.errorRate)}`,
      `- **Pending approvals:** ${s.pendingApprovals}${s.pendingApprovals ? ' (see /pending)' : ''}`,
      ...(s.queue
        ? [
            `- **Queue:** ${s.queue.depth} waiting${s.queue.depth ? `, oldest ${s.queue.oldestWaitSeconds} s` : ''}; ${s.queue.busyWorkers} of ${s.queue.workers} workers busy`,
          ]
        : []),
      `- **State version:** ${s.stateVersion}`,
      ...(s.ignoredStateVersions.length
        ? [
            `- **IGNORED state version(s):** ${s.ignoredStateVersions.map((v) => `v${v}`).join(', ')}: written outside the audit trail (no audit entry commits to them), so not applied. Check who wrote to the database.`,
          ]
        : []),
      ...(s.mode === 'simulator' ? ['- **Mode:** SIMULATOR (built-in local stand-in, not DingTalk)'] : []),
      ...(s.database?.warning ? [`- **Database:** ⚠ ${s.database.warning}`] : []),
      ...(s.modelUsage?.length
        ? ['', '**Model usage (last hour)**', ...s.modelUsage.map((u) => `- **${u.route}:** ${formatUsage(u)}`)]
        : []),
      '',
      ...table(
        ['skill', 'state', 'risk'],
        s.skills.map((k) => [k.name, k.enabled ? 'on' : `OFF${k.reason ? ` (${k.reason})` : ''}`, k.risk]),
      ),
    ])
  },
})

function incidentLine(i: StatusFacts['incident'], now: number): string {
  if (!i.on) return 'off'
  const parts = ['**ON**']
  if (i.by) parts.push(`by ${i.by}`)
  if (i.since) parts.push(`since ${isoSeconds(i.since)}`)
  if (i.reason) parts.push(`— ${i.reason}`)
  if (i.expiresAt) parts.push(`(ends in ${formatDuration(i.expiresAt - now)})`)
  return parts.join(' ')
}

function uptime(seconds: number | null): string {
  if (seconds === null) return 'unknown'
  return seconds < 1 ? 'just started' : formatDuration(seconds * 1000)
}
