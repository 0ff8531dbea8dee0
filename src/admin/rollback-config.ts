import type { Services } from '../context.js'
import { UserError } from '../errors.js'
import { EMPTY_STATE, type RuntimeState } from '../store/state.js'
import { diffJson, formatChanges, type Change } from './rollback-diff.js'
import type { Texts } from '../i18n/catalogue.js'
import { isoSeconds } from '../time-text.js'

// Config rollback plans: which runtime config version a rollback restores, and the dry run that shows it.

type Deps = Pick<Services, 'state' | 'releases'>

/** Who asks, so a refusal names the way to name a version that works there. */
export type ConfigRollbackAsker = 'chat' | 'routerctl'

/** Which version a config rollback restores, over which current version, and why that one. */
export interface ConfigPlan {
  current: { version: number; state: RuntimeState }
  target: { version: number; state: RuntimeState }
  why: string
  changes: Change[]
}

/**
 * Resolves the target: the given version, else the config recorded with the last known-good release.
 * Without a version it refuses when nothing is known-good or the current version is the known-good one:
 * a rollback restores what was verified good, it never guesses an older version. Version 0 is the empty
 * initial state. `why` is recorded in English (it is audit data); `t` words the refusals.
 * @example planConfigRollback(services, undefined, textsFor('en'), 'chat').target.version // 3
 */
export function planConfigRollback(
  s: Pick<Deps, 'state' | 'releases'>,
  version: number | undefined,
  t: Texts,
  asker: ConfigRollbackAsker,
): ConfigPlan {
  const current = s.state.current()
  const { target, why } =
    version === undefined ? knownGoodTarget(s, current.version, t, asker) : { target: version, why: 'as you named it' }
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

// The default target: the config version marked with the newest known-good release, when it is not current.
function knownGoodTarget(
  s: Pick<Deps, 'releases'>,
  current: number,
  t: Texts,
  asker: ConfigRollbackAsker,
): { target: number; why: string } {
  if (current === 0) throw new UserError(t.rollback.neverChanged, 'nothing_to_roll_back')
  const good = s.releases.lastKnownGood()
  const nameIt = t.rollback.nameVersion(asker === 'routerctl')
  if (!good || good.configVersion === null)
    throw new UserError(t.rollback.noKnownGoodConfig(current, nameIt), 'no_known_good')
  if (good.configVersion === current)
    throw new UserError(t.rollback.currentIsKnownGood(current, good.digest, nameIt), 'no_known_good')
  return {
    target: good.configVersion,
    why: `the config of known-good release ${good.digest}, marked ${isoSeconds(good.knownGoodAt!)}`,
  }
}

/**
 * The dry run shown with the approval request: target, why it was chosen, and every setting that would change.
 * @example previewConfigRollback(services, 3, textsFor('en'), 'chat') // 'Restore config v3 (as you named it) over …'
 */
export function previewConfigRollback(
  s: Pick<Deps, 'state' | 'releases'>,
  version: number | undefined,
  t: Texts,
  asker: ConfigRollbackAsker,
): string {
  const plan = planConfigRollback(s, version, t, asker)
  const head = t.rollback.configHead(plan.target.version, t.rollback.why(plan.why), plan.current.version)
  if (plan.changes.length === 0) return `${head}\n${t.rollback.configSame}`
  return [head, ...formatChanges(plan.changes).map((l) => `- ${l}`)].join('\n')
}
