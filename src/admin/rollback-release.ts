import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import type { RouterConfig } from '../config.js'
import type { RuntimeFacts, Services } from '../context.js'
import { parseDuration } from '../duration.js'
import type { Texts } from '../i18n/catalogue.js'
import { UserError } from '../errors.js'
import { DIGEST_PATTERN, type DesiredRelease, type DesiredStatus } from '../store/releases.js'
import { hookArgv, runHook, tailOf, type HookResult } from './rollback-hook.js'

// Release rollback plans: which earlier release a rollback asks for, and the dry run that shows it.

/** routerctl has no running process: `runtime` is then absent and the newest deploy stands in for it. */
type Deps = Pick<Services, 'releases'> & {
  config: Pick<RouterConfig, 'db' | 'releases'>
  runtime?: RuntimeFacts
}

/** The file name deploy/reconcile.sh looks for in the data folder. */
export const DESIRED_FILE = 'desired-release.json'

/**
 * The desired-release.json beside the database: the host-side reconciler reads it from the data volume.
 * @example desiredReleaseFile('/data/router.db') // '/data/desired-release.json'
 */
function desiredReleaseFile(db: string): string {
  return besideDatabase(db, DESIRED_FILE)
}

/** A file of the data folder: the one the host-side reconciler shares with the router. */
function besideDatabase(db: string, name: string): string {
  return join(dirname(resolve(db)), name)
}

/** The file deploy/reconcile.sh writes beside desired-release.json: how the host's newest run ended. */
export const RESULT_FILE = 'reconcile-result.json'

/** What deploy/reconcile.sh reported for one request (`id` null for a desired-release.json written by hand). */
export interface HostResult {
  id: number | null
  digest: string
  /** `retrying`: the pull failed (not a verdict on the release); the timer tries again. */
  outcome: 'applied' | 'failed' | 'retrying'
  /** When the host first saw this outcome; undefined when the file's `at` is not a time. */
  at?: number
  detail: string
}

/** A report file that is there but cannot be used: said as such, never taken as "no news". */
export interface UnreadableHostResult {
  unreadable: string
}

const OUTCOMES: readonly string[] = ['applied', 'failed', 'retrying']

/**
 * The reconciler's report from the data folder; undefined when the host has written none (or the database
 * is in memory, so there is no data folder). The host writes it as the router's own account, mode 0600.
 * @example readHostResult('/data/router.db') // { id: 4, digest: 'sha256:…', outcome: 'failed', … }
 */
export function readHostResult(db: string): HostResult | UnreadableHostResult | undefined {
  if (db === ':memory:') return undefined
  let text: string | undefined
  try {
    text = readIfExists(besideDatabase(db, RESULT_FILE))
  } catch (err) {
    return { unreadable: (err as NodeJS.ErrnoException).code ?? String(err) }
  }
  if (text === undefined) return undefined
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return { unreadable: 'not JSON' }
  }
  const r = (raw ?? {}) as Record<string, unknown>
  const id = r.id === null || (typeof r.id === 'number' && Number.isSafeInteger(r.id)) ? r.id : undefined
  if (
    id === undefined ||
    typeof r.digest !== 'string' ||
    typeof r.outcome !== 'string' ||
    !OUTCOMES.includes(r.outcome)
  )
    return { unreadable: 'not a reconcile result (id, digest, outcome)' }
  const at = typeof r.at === 'string' ? Date.parse(r.at) : Number.NaN
  return {
    id,
    digest: r.digest.slice(0, 200),
    outcome: r.outcome as HostResult['outcome'],
    at: Number.isNaN(at) ? undefined : at,
    detail: typeof r.detail === 'string' ? r.detail.slice(0, 600) : '',
  }
}

/** What a release rollback would do. */
export interface ReleasePlan {
  running: string | undefined
  digest: string
  why: string
}

/**
 * Resolves the target: the given digest (it must have been deployed here before), else the newest
 * known-good release other than the running one.
 * `why` is recorded in English (it is audit data); `t` words the refusals.
 * @example planReleaseRollback(services, undefined, textsFor('en')).digest // 'sha256:…'
 */
export function planReleaseRollback(
  s: Pick<Deps, 'releases' | 'runtime'>,
  digest: string | undefined,
  t: Texts,
): ReleasePlan {
  const running = s.runtime?.digest ?? s.releases.latest()?.digest
  const recent = () =>
    s.releases
      .history(5)
      .map((d) => d.digest)
      .join(', ') || t.rollback.noneRecorded
  if (digest !== undefined) {
    if (!DIGEST_PATTERN.test(digest)) throw new UserError(t.rollback.notDigest(digest.slice(0, 80)), 'bad_digest')
    if (!s.releases.forDigest(digest)) throw new UserError(t.rollback.neverDeployed(digest, recent()), 'unknown_digest')
    if (digest === running) throw new UserError(t.rollback.alreadyRunning(digest), 'already_running')
    return { running, digest, why: 'as asked' }
  }
  const good = s.releases.lastKnownGood(running)
  if (!good) throw new UserError(t.rollback.noKnownGood(recent()), 'no_known_good')
  return { running, digest: good.digest, why: `last known-good, since ${new Date(good.knownGoodAt!).toISOString()}` }
}

/**
 * The dry run shown with the approval request.
 * @example previewReleaseRollback(services, undefined, textsFor('en')) // 'Roll back the release …'
 */
export function previewReleaseRollback(
  s: Pick<Deps, 'releases' | 'runtime' | 'config'>,
  digest: string | undefined,
  t: Texts,
): string {
  const plan = planReleaseRollback(s, digest, t)
  const hook = s.config.releases.rollbackHook
  return [
    t.rollback.releaseHead(plan.running ?? t.actions.unknown, plan.digest, t.rollback.why(plan.why)),
    t.rollback.writesDesired(DESIRED_FILE),
    hook ? t.rollback.runsHook(hook.join(' '), s.config.releases.hookTimeout) : t.rollback.noHook,
  ].join('\n')
}

/** How the hand-off of a committed release rollback ended. */
export interface HandOff {
  ok: boolean
  status: DesiredStatus
  hook?: HookResult
  output: string
  summary: string
}

/**
 * Hands a recorded desired release to the host: writes desired-release.json (`awaiting-hook` while a hook
 * runs), runs the configured hook and marks the file `ready` for the reconciler. A failing or hanging hook
 * changes nothing else: the file is put back as it was and the request is marked failed, so the reconciler
 * never applies a rollback whose hand-off failed. Runs after the request's entry is committed.
 * @example const h = await handOffRelease(deps, desired, plan, textsFor('en'))
 */
export async function handOffRelease(s: Deps, desired: DesiredRelease, plan: ReleasePlan, t: Texts): Promise<HandOff> {
  const file = desiredReleaseFile(s.config.db)
  const before = readIfExists(file)
  const template = s.config.releases.rollbackHook
  // The hook may read the file, but the reconciler (its systemd .path unit fires on every write) applies
  // only a `ready` one: a release whose hook then fails must never have been applicable.
  const content = (status: 'awaiting-hook' | 'ready') =>
    `${JSON.stringify(
      {
        id: desired.id,
        digest: desired.digest,
        previousDigest: desired.previousDigest,
        requestedBy: desired.requestedBy,
        requestedAt: new Date(desired.requestedAt).toISOString(),
        status,
      },
      null,
      2,
    )}\n`
  writeAtomic(file, content(template ? 'awaiting-hook' : 'ready'))
  const timeoutMs = parseDuration(s.config.releases.hookTimeout) ?? 60_000
  const hook = template
    ? await runHook(hookArgv(template, { digest: plan.digest, previous: plan.running ?? '', file }), {
        timeoutMs,
        cwd: dirname(file),
        // The hook gets what it needs, not the router's environment (which may hold credentials).
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          LANG: process.env.LANG,
          ROUTER_DESIRED_DIGEST: plan.digest,
          ROUTER_PREVIOUS_DIGEST: plan.running ?? '',
          ROUTER_DESIRED_FILE: file,
        },
      })
    : undefined
  const ok = hook?.ok ?? true
  if (hook && ok) writeAtomic(file, content('ready'))
  else if (!ok) {
    if (before === undefined) rmSync(file, { force: true })
    else writeAtomic(file, before)
  }
  const status: DesiredStatus = !hook ? 'pending' : ok ? 'handed-off' : 'failed'
  s.releases.setDesiredStatus(desired.id, status, hook?.error)
  const output = hook ? tailOf(hook.output) : ''
  return { ok, status, hook, output, summary: summarise(plan, desired.id, hook, output, timeoutMs, t) }
}

function summarise(
  plan: ReleasePlan,
  id: number,
  hook: HookResult | undefined,
  output: string,
  timeoutMs: number,
  texts: Texts,
): string {
  const t = texts.rollback
  const lastLine = output.split('\n').at(-1)?.slice(0, 200)
  const tail = lastLine ? `\n${t.hookLine(lastLine)}` : ''
  if (!hook) return t.noHookSummary(plan.digest, id, DESIRED_FILE)
  if (hook.ok) return `${t.handedOff(plan.digest, id, texts.time.duration(hook.durationMs))}${tail}`
  const why = hook.timedOut ? t.timedOut(texts.time.duration(timeoutMs)) : (hook.error ?? t.failed)
  return `${t.hookFailed(plan.digest, why, DESIRED_FILE, id)}${tail}`
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

// The reconciler may read the file at any moment: it sees the old content or the new, never half.
function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, text, { mode: 0o644 })
  renameSync(tmp, file)
}
