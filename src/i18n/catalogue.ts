import type { Locale } from './locale.js'
import { askTexts } from './texts/ask.js'
import { budgetTexts } from './texts/budget.js'
import { egressTexts } from './texts/egress.js'
import { inboundTexts } from './texts/inbound.js'
import { adminTexts } from './texts/admin.js'
import { approvalTexts } from './texts/approval.js'
import { timeTexts } from './texts/time.js'
import { actionsTexts } from './texts/actions.js'
import { rollbackTexts } from './texts/rollback.js'
import { statusTexts } from './texts/status.js'
import { runbookTexts } from './texts/runbook.js'
import { digestTexts } from './texts/digest.js'
import { jobsTexts } from './texts/jobs.js'
import { budgetAdminTexts } from './texts/budget-admin.js'
import { incidentTexts } from './texts/incident.js'
import { openclawTexts } from './texts/openclaw.js'
import { routerTexts } from './texts/router.js'
import { serviceStatusTexts } from './texts/service-status.js'
import { skillRunTexts } from './texts/skill-run.js'
import { skillsTexts } from './texts/skills.js'

// The message catalogue: every text the router sends, by area, in every locale. An area lives in
// `texts/<area>.ts` as `{ en, 'zh-CN' }`; the Chinese half is typed after the English one, so a missing key
// or parameter is a type error, and test/i18n/catalogue.test.ts also checks it at run time.

const AREAS = {
  inbound: inboundTexts,
  // Operator side: written in config.locale (the admin group's language), never detected per message.
  admin: adminTexts,
  approval: approvalTexts,
  time: timeTexts,
  actions: actionsTexts,
  rollback: rollbackTexts,
  status: statusTexts,
  runbook: runbookTexts,
  digest: digestTexts,
  jobs: jobsTexts,
  budgetAdmin: budgetAdminTexts,
  incident: incidentTexts,
  // End-user side: in the locale of each message (Chinese for a writer of Chinese).
  router: routerTexts,
  skillRun: skillRunTexts,
  budget: budgetTexts,
  egress: egressTexts,
  skills: skillsTexts,
  serviceStatus: serviceStatusTexts,
  ask: askTexts,
  openclaw: openclawTexts,
}

type Areas = typeof AREAS
/** Every text in one locale, grouped by area: `texts.inbound.unreadable`. */
export type Texts = { readonly [A in keyof Areas]: Areas[A]['en'] }

function build(locale: Locale): Texts {
  const out: Record<string, unknown> = {}
  for (const [area, byLocale] of Object.entries(AREAS)) out[area] = byLocale[locale]
  return out as Texts
}

const CATALOGUE: Readonly<Record<Locale, Texts>> = { en: build('en'), 'zh-CN': build('zh-CN') }

/**
 * The texts of one locale.
 * @example textsFor('zh-CN').inbound.unreadable
 */
export function textsFor(locale: Locale): Texts {
  return CATALOGUE[locale]
}
