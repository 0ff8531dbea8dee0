import type { Services } from '../context.js'
import { UserError } from '../errors.js'
import { EMPTY_STATE, type RuntimeState } from '../store/state.js'
import { diffJson, formatChanges, type Change } from './rollback-diff.js'
import type { Texts } from '../i18n/catalogue.js'

// Config rollback plans: which runtime config version a rollback restores, and the dry run that shows it.

type Deps = Pick<Services, 'state' | 'releases'>

/** Which version a config rollback restores, over which current version, and why that one. */
export interface ConfigPlan {
  current: { version: number; state: RuntimeState }
  target: { version: number; state: RuntimeState }
  why: string
  changes: Change[]
}

/**
 * Resolves the target: the given version, else the last known-good one (when it is not the current one),
 * else the version before the last change. Version 0 is the empty initial state.
 * `why` is recorded in English (it is audit data); `t` words the refusals.
 * @example planConfigRollback(services, undefined, textsFor('en')).target.version // 3
 */
export function planConfigRollback(
  s: Pick<Deps, 'state' | 'releases'>,
  version: number | undefined,
  t: Texts,
): ConfigPlan {
  const current = s.state.current()
  let target: number
  let why: string
  const knownGood = s.releases.lastKnownGoodConfigVersion()
  if (version !== undefined) {
    target = version
    why = 'as asked'
  } else if (knownGood !== undefined && knownGood !== current.version) {
    target = knownGood
    why = 'the last known-good version'
  } else if (current.version > 0) {
    target = current.version - 1
    why = 'the version before the last change'
  } else {
    throw new UserError(t.rollback.neverChanged, 'nothing_to_roll_back')
  }
  const stored = target === 0 ? undefined : s.state.version(target)
  if (target !== 0 && !stored) throw new UserError(t.rollback.noVersion(target, current.version), 'unknown_version')
  if (stored && !stored.attested) throw new UserError(t.rollback.unattested(target), 'unattested_version')
  const state = stored?.state ?? structuredClone(EMPTY_STATE)
  return {
    current: { version: current.version, state: current.state },
    target: { version: target, state },
    why,
    changes: diffJson(current.state, state),
  }
}

/**
 * The dry run shown with the approval request: target, reason, and every setting that would change.
 * @example previewConfigRollback(services, 3, textsFor('en')) // 'Restore config v3 (as asked) over v5: …'
 */
export function previewConfigRollback(
  s: Pick<Deps, 'state' | 'releases'>,
  version: number | undefined,
  t: Texts,
): string {
  const plan = planConfigRollback(s, version, t)
  const head = t.rollback.configHead(plan.target.version, t.rollback.why(plan.why), plan.current.version)
  if (plan.changes.length === 0) return `${head}\n${t.rollback.configSame}`
  return [head, ...formatChanges(plan.changes).map((l) => `- ${l}`)].join('\n')
}
