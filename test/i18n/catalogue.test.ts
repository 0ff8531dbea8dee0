import { describe, expect, it } from 'vitest'
import help from '../../skills/help.js'
import ping from '../../skills/ping.js'
import { askSkill } from '../../skills/ask.js'
import { openclawSkills } from '../../skills/openclaw.js'
import { serviceStatusSkill } from '../../skills/service-status.js'
import { textsFor } from '../../src/i18n/catalogue.js'
import { LOCALES, localeOf } from '../../src/i18n/locale.js'
import { inLocale } from '../../src/i18n/localized.js'
import { openclawSchema } from '../../src/openclaw/settings.js'
import type { SkillDefinition } from '../../src/define.js'
import { SkillRegistry } from '../../src/skill-registry.js'

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

describe('the built-in skills as help shows them', () => {
  const registry = new SkillRegistry([
    help,
    ping,
    serviceStatusSkill({ baseUrl: 'https://status.internal.example' }),
    askSkill({ model: { baseUrl: 'https://llm.internal.example/v1', name: 'm' } }),
    ...openclawSkills(
      openclawSchema.parse({ routes: { claw: { baseUrl: 'http://10.0.0.5:18789', triggers: ['claw', '龙虾'] } } }),
      [],
    ),
  ] as SkillDefinition<unknown>[])

  it('describe themselves in every locale, in Chinese for zh-CN', () => {
    for (const skill of registry.skills) {
      const zh = inLocale(skill.description, 'zh-CN')
      expect({ skill: skill.name, zh, han: HAN.test(zh) }).toMatchObject({ skill: skill.name, han: true })
      expect(inLocale(skill.description, 'en')).not.toBe(zh)
    }
  })

  it('give examples that, typed as shown in either language, reach the same skill', () => {
    for (const skill of registry.skills)
      for (const locale of LOCALES) {
        const example = inLocale(skill.example, locale).replace(/ \(.*\)$|（.*）$/u, '')
        expect({ example, skill: registry.match(example)?.def.name }).toEqual({ example, skill: skill.name })
      }
  })

  it('cannot carry one language of a pair without the other (a type error, checked by npm run typecheck)', () => {
    const englishOnly = {
      name: 'half',
      // @ts-expect-error: 'zh-CN' is missing
      description: { en: 'Half translated' },
      example: 'half',
      match: /^half$/,
      risk: 'read',
      handler: () => 'x',
    } satisfies SkillDefinition<unknown>
    expect(inLocale(englishOnly.description as never, 'zh-CN')).toBeUndefined()
  })

  it('take Chinese aliases, and answer them in Chinese', () => {
    expect(registry.match('帮助')?.def.name).toBe('help')
    expect(registry.match('在吗？')?.def.name).toBe('ping')
    expect(registry.match('服务状态：payments')).toMatchObject({
      def: { name: 'service-status' },
      rawArgs: { service: 'payments' },
    })
    expect(registry.match('状态payments')?.rawArgs).toEqual({ service: 'payments' })
    expect(registry.match('status')).toBeUndefined()
    expect(localeOf('服务状态 payments', 'en')).toBe('zh-CN')
  })
})
