import { collectStatus, describeErrorRate, skillCounts, type StatusFacts } from '../../status.js'
import { EXIT, type CliCommand } from '../command.js'
import { collectRunbook, fetchReadiness, formatRunbook } from '../../admin/runbook.js'
import type { RouterConfig } from '../../config.js'
import { joinHostPort } from '../../egress/destination.js'
import { textsFor } from '../../i18n/catalogue.js'
import type { InboxStore } from '../../store/inbox.js'
import { ago, isoSeconds } from '../../time-text.js'

/**
 * `status [--json]`: the /status facts that live in SQLite. Version, uptime, stream and breaker states
 * live only in the bot process, so they are reported as not visible rather than guessed. The bot's live
 * queue is not visible either, so the pending inbox rows are read from the database instead (`inbox`).
 * @example routerctl status --json | jq .incident
 */
export const statusCommand: CliCommand = {
  name: 'status',
  summary: 'incident mode, skills on/paused/off, recent error rate, pending approvals (--json for JSON)',
  positionals: [],
  flags: { json: { kind: 'switch' } },
  mutates: false,
  async run({ args, io, session }) {
    // Without a valid bot config incident.riskySkills is unknown: only declared risk counts, and the text says so.
    const config = { incident: { riskySkills: session.config?.incident.riskySkills ?? [] } }
    const facts = collectStatus({ ...session.stores, skills: session.skills, config }, io.now())
    // A hung bot shows here as messages waiting: without its live queue facts, the table is the queue.
    const inbox = facts.queue ? undefined : pendingInbox(session.stores.inbox, io.now())
    // Breaker states live in the bot process: leaving them out says "unknown"; an empty map would say "none".
    const skills = facts.skills.map(({ breakers: _unknown, ...s }) => s)
    // The /runbook section: readiness asked of the bot over its loopback listener, the rest from SQLite.
    const url = readyUrl(session.config)
    // The database path locates data/reconcile-result.json: a rollback the host failed shows as FAILED here too.
    const runbook = await collectRunbook(
      { ...session.stores, skills: session.skills, config: { db: session.dbPath } },
      { now: io.now(), readiness: () => fetchReadiness(url) },
    )
    if (args.flags.json)
      io.out(
        JSON.stringify({ ...facts, skills, database: session.dbPath, ...(inbox ? { inbox } : {}), runbook }, null, 2),
      )
    else
      for (const line of [
        ...formatStatus(facts, session.dbPath, session.config !== undefined),
        ...(inbox ? [formatInbox(inbox)] : []),
        '',
        formatRunbook(runbook, io.now(), ENGLISH, { plain: true }),
        `(readiness from ${url})`,
      ])
        io.out(line)
    return EXIT.ok
  },
}

function formatStatus(f: StatusFacts, dbPath: string, riskySkillsKnown: boolean): string[] {
  const i = f.incident
  const incident = i.on
    ? `ON${i.by ? ` by ${i.by}` : ''}${i.since ? ` since ${iso(i.since)}` : ''}${i.reason ? `: ${i.reason}` : ''}${i.expiresAt ? ` (until ${iso(i.expiresAt)})` : ''}`
    : 'off'
  const e = f.errorRate
  return [
    `database           ${dbPath}`,
    'bot process        not visible from routerctl (version, uptime, stream and breakers: /status in chat or GET /status)',
    `incident mode      ${incident}`,
    `state version      ${f.stateVersion}${f.ignoredStateVersions.length ? ` (IGNORED, not in the audit trail: ${f.ignoredStateVersions.map((v) => `v${v}`).join(', ')})` : ''}`,
    `skills             ${skillsLine(f.skills)}`,
    ...(i.on && !riskySkillsKnown
      ? [
          '                   (incident.riskySkills unknown: the bot configuration does not validate, so only write/external skills show as paused)',
        ]
      : []),
    `errors (${e.windowMinutes} min)    ${describeErrorRate(e, 'words', ENGLISH)}`,
    `pending approvals  ${f.pendingApprovals}`,
    ...(f.outbox.waiting || f.outbox.undelivered ? [`admin notices      ${formatOutbox(f.outbox)}`] : []),
  ]
}

// "3 on, 2 paused (incident) (deploy-app, page-oncall), 1 off (ping)": paused skills are on but not answering.
function skillsLine(skills: StatusFacts['skills']): string {
  const { on, paused, off } = skillCounts(skills)
  const names = (pick: (s: StatusFacts['skills'][number]) => boolean) =>
    ` (${skills
      .filter(pick)
      .map((s) => s.name)
      .join(', ')})`
  const held = paused ? `${paused} paused (incident)${names((s) => s.pausedByIncident)}, ` : ''
  return `${on} on, ${held}${off} off${off ? names((s) => !s.enabled) : ''}`
}

function formatOutbox(o: StatusFacts['outbox']): string {
  const parts = [
    ...(o.waiting ? [`${o.waiting} waiting to be sent`] : []),
    ...(o.undelivered ? [`${o.undelivered} UNDELIVERED (given up after about a day of failures)`] : []),
  ]
  return `${parts.join(', ')}; why: /diag announcer in chat`
}

/** The inbox's pending rows as read from SQLite, when the bot's live queue facts are not at hand. */
interface PendingInbox {
  pending: number
  /** When the oldest pending message was stored, and how long ago; null when none is pending. */
  oldestReceivedAt: number | null
  oldestWaitSeconds: number | null
  source: 'database'
}

/** The work queue's own statements: rowid is arrival order, so the first pending row is the oldest. */
function pendingInbox(inbox: InboxStore, now: number): PendingInbox {
  const oldest = inbox.pendingIdsAfter(0, 1)[0]
  return {
    pending: inbox.countPendingAfter(0),
    oldestReceivedAt: oldest?.receivedAt ?? null,
    oldestWaitSeconds: oldest ? Math.max(0, Math.round((now - oldest.receivedAt) / 100) / 10) : null,
    source: 'database',
  }
}

function formatInbox(i: PendingInbox): string {
  const oldest =
    i.oldestReceivedAt === null || i.oldestWaitSeconds === null
      ? ''
      : `, oldest received ${ago(i.oldestWaitSeconds * 1000)} (${isoSeconds(i.oldestReceivedAt)})`
  return `pending messages   ${i.pending} in the inbox${oldest} (read from the database: the bot's live queue is not visible from routerctl)`
}

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * Where the bot answers /ready, as seen from the same host (0.0.0.0 inside a container means loopback here).
 * @example readyUrl(config) // 'http://127.0.0.1:8080/ready'
 */
function readyUrl(config: RouterConfig | undefined): string {
  const host = !config || ['0.0.0.0', '::'].includes(config.http.host) ? '127.0.0.1' : config.http.host
  return `http://${joinHostPort(host, config?.http.port ?? 8080)}/ready`
}

// routerctl's output is a CLI contract: English whatever the admin group's language is.
const ENGLISH = textsFor('en')
