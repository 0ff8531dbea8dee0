import { type Texts, textsFor } from './catalogue.js'
import { LOCALES, type Locale } from './locale.js'

// How a definition that is data (a skill's description and example, shown by `help`) carries every language.

/** One text in every locale; a pair missing a language does not compile. */
export type LocalizedText = { readonly [L in Locale]: string }

/**
 * What a skill shows in `help`: one text per locale, or a plain string that reads the same in every
 * language (a command word such as `ping`, or a description an operator wrote in the config).
 */
export type SkillText = string | LocalizedText

/**
 * A catalogue text in every locale, for a definition built once at start-up.
 * @example description: fromCatalogue((t) => t.skills.help.description)
 */
export function fromCatalogue(pick: (texts: Texts) => string): LocalizedText {
  return Object.fromEntries(LOCALES.map((locale) => [locale, pick(textsFor(locale))])) as LocalizedText
}

/**
 * The text a reader of `locale` sees.
 * @example inLocale({ en: 'help', 'zh-CN': '帮助' }, 'zh-CN') // '帮助'
 */
export function inLocale(text: SkillText, locale: Locale): string {
  return typeof text === 'string' ? text : text[locale]
}
