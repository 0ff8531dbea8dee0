import { describe, expect, it } from 'vitest'
import { textsFor } from '../../src/i18n/catalogue.js'
import { LOCALES, localeOf } from '../../src/i18n/locale.js'

/** Every leaf of a catalogue as `area.key` → its value (a string or a function of the text's parameters). */
function leaves(node: object, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>()
  for (const [key, value] of Object.entries(node)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (value !== null && typeof value === 'object') for (const [k, v] of leaves(value, path)) out.set(k, v)
    else out.set(path, value)
  }
  return out
}

const HAN = /\p{Script=Han}/u

describe('the message catalogue', () => {
  const english = leaves(textsFor('en'))

  it('has the same keys, each of the same kind and arity, in every locale', () => {
    expect(english.size).toBeGreaterThan(0)
    for (const locale of LOCALES) {
      const texts = leaves(textsFor(locale))
      const missing = [...english.keys()].filter((k) => !texts.has(k))
      const extra = [...texts.keys()].filter((k) => !english.has(k))
      expect({ locale, missing, extra }).toEqual({ locale, missing: [], extra: [] })
      for (const [key, value] of english) {
        const other = texts.get(key)
        expect({ key, locale, kind: typeof other }).toEqual({ key, locale, kind: typeof value })
        if (typeof value === 'function' && typeof other === 'function') {
          expect({ key, locale, arity: other.length }).toEqual({ key, locale, arity: value.length })
        }
      }
    }
  })

  it('has no empty text, and its Chinese strings are Chinese, not copies of the English', () => {
    const chinese = leaves(textsFor('zh-CN'))
    for (const [key, value] of english) {
      if (typeof value !== 'string') continue
      expect({ key, empty: value.trim() === '' }).toEqual({ key, empty: false })
      const zh = chinese.get(key)
      expect({ key, zh, han: typeof zh === 'string' && HAN.test(zh) }).toMatchObject({ key, han: true })
    }
  })
})

describe('the locale of a message', () => {
  it('is Chinese for a writer of Chinese, and the configured default otherwise', () => {
    expect(localeOf('帮助', 'en')).toBe('zh-CN')
    expect(localeOf('ask 数据库为什么慢', 'en')).toBe('zh-CN')
    expect(localeOf('ping', 'en')).toBe('en')
    expect(localeOf('/status', 'zh-CN')).toBe('zh-CN')
    expect(localeOf('', 'en')).toBe('en')
  })
})
