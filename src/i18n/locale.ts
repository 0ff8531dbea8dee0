// Which language a reply is written in: the configured default, or Chinese for whoever writes Chinese.

/** The languages every text of the router exists in (the catalogue test checks both are complete). */
export const LOCALES = ['en', 'zh-CN'] as const
export type Locale = (typeof LOCALES)[number]

/** A Han character anywhere in a message: its writer reads Chinese (pinyin or an English command name alone does not count). */
const HAN = /\p{Script=Han}/u

/**
 * The locale to answer a message in: `zh-CN` when its text has a Han character, the configured default otherwise
 * (a bare `ping` or `/status` says nothing about its writer's language).
 * @example localeOf('帮助', 'en') // 'zh-CN'
 * @example localeOf('ping', 'zh-CN') // 'zh-CN'
 */
export function localeOf(text: string, fallback: Locale): Locale {
  return HAN.test(text) ? 'zh-CN' : fallback
}
