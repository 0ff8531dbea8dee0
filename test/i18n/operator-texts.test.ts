import { describe, expect, it } from 'vitest'
import { textsFor } from '../../src/i18n/catalogue.js'
import { formatDuration } from '../../src/duration.js'

const en = textsFor('en')
const zh = textsFor('zh-CN')

describe('spans of time in words', () => {
  it('reads in English exactly as formatDuration always has', () => {
    for (const ms of [0, 999, 1000, 59_000, 899_000, 900_000, 7_500_000, 90_000_000])
      expect(en.time.duration(ms)).toBe(formatDuration(ms))
    expect(en.time.ago(400)).toBe('just now')
    expect(en.time.ago(300_000)).toBe('5m ago')
    expect(en.time.in(600_000)).toBe('in 10m')
  })

  it('reads in Chinese with the same two largest units, minutes alone as 分钟', () => {
    expect(zh.time.duration(899_000)).toBe('14分59秒')
    expect(zh.time.duration(900_000)).toBe('15分钟')
    expect(zh.time.duration(7_500_000)).toBe('2小时5分')
    expect(zh.time.duration(90_000_000)).toBe('1天1小时')
    expect(zh.time.duration(86_400_000)).toBe('1天')
    expect(zh.time.duration(42_000)).toBe('42秒')
    expect(zh.time.ago(400)).toBe('刚刚')
    expect(zh.time.ago(300_000)).toBe('5分钟前')
    expect(zh.time.in(600_000)).toBe('10分钟后')
  })
})

describe('operator texts keep what people and scripts type literal', () => {
  const link = 'dtmd://dingtalkclient/sendMessage?content=%2Fapprove%20k3x9q2m7ta'
  it('the approval request carries /approve <id> and /deny <id> in both languages', () => {
    for (const t of [en, zh]) {
      const lines = t.approval.requestLines(
        '/enable-skill skill=ping',
        'alice',
        '2026-12-01T10:15:00Z',
        900_000,
        'k3x9q2m7ta',
        link,
      )
      expect(lines).toContain('/approve k3x9q2m7ta')
      expect(lines).toContain('/deny k3x9q2m7ta')
      expect(lines).toContain('`/enable-skill skill=ping`')
      expect(lines).toContain(link)
    }
  })

  it('routerctl and the chat share an action wording only through the texts they are given', () => {
    expect(en.actions.by('dave', '', true)).toBe('by dave via routerctl (break-glass)')
    expect(en.actions.by('bob', 'alice', false)).toBe('by bob (requested by alice)')
    expect(zh.actions.by('dave', '', true)).toBe('由 dave 通过 routerctl（break-glass）')
    expect(zh.admin.argumentProblem('expected a duration like 30m, 4h or 1d')).toBe('应为 30m、4h 或 1d 这样的时长')
    // A message the catalogue does not know is shown as the schema wrote it, never dropped.
    expect(zh.admin.argumentProblem('Too big: expected number to be <=50')).toBe('Too big: expected number to be <=50')
  })
})
