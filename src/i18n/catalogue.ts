import type { Locale } from './locale.js'
import { inboundTexts } from './texts/inbound.js'

// The message catalogue: every text the router sends, by area, in every locale. An area lives in
// `texts/<area>.ts` as `{ en, 'zh-CN' }`; the Chinese half is typed after the English one, so a missing key
// or parameter is a type error, and test/i18n/catalogue.test.ts also checks it at run time.

const AREAS = {
  inbound: inboundTexts,
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
