import { describe, expect, it } from 'vitest'
import { addKnownSecret, canonicalJson, isSecretKey, redactValue, scrubSecrets } from '../../src/redact.js'

describe('redactValue', () => {
  it('replaces secret-looking keys at any depth', () => {
    const out = redactValue({
      apiKey: 'sk-1',
      api_key: 'sk-2',
      clientSecret: 's',
      password: 'p',
      accessToken: 't',
      authorization: 'Bearer x',
      auditKey: 'k',
      sessionWebhook: 'https://x/?session=abc',
      ticket: 't',
      credentials: 'c',
      privateKey: 'pk',
      nested: { deeper: [{ token: 'tok', fine: 'ok' }] },
      author: 'alice',
      skill: 'ping',
      reason: 'noisy',
    })
    expect(out).toEqual({
      apiKey: '[redacted]',
      api_key: '[redacted]',
      clientSecret: '[redacted]',
      password: '[redacted]',
      accessToken: '[redacted]',
      authorization: '[redacted]',
      auditKey: '[redacted]',
      sessionWebhook: '[redacted]',
      ticket: '[redacted]',
      credentials: '[redacted]',
      privateKey: '[redacted]',
      nested: { deeper: [{ token: '[redacted]', fine: 'ok' }] },
      author: 'alice',
      skill: 'ping',
      reason: 'noisy',
    })
  })

  it('removes credential URL parameters inside strings', () => {
    expect(redactValue({ url: 'https://oapi.dingtalk.com/robot/sendBySession?session=76da36b48f59e8&x=1' })).toEqual({
      url: 'https://oapi.dingtalk.com/robot/sendBySession?session=[redacted]&x=1',
    })
    expect(redactValue('wss://x/connect?ticket=abc-def')).toBe('wss://x/connect?ticket=[redacted]')
    expect(redactValue(['a?access_token=zzz'])).toEqual(['a?access_token=[redacted]'])
  })

  it('passes scalars through and bounds depth and array length', () => {
    for (const v of [1, true, null, undefined, 'plain']) expect(redactValue(v)).toBe(v)
    let deep: Record<string, unknown> = { leaf: 1 }
    for (let i = 0; i < 12; i++) deep = { d: deep }
    expect(JSON.stringify(redactValue(deep))).toContain('[too deep]')
    expect((redactValue(Array.from({ length: 500 }, (_, i) => i)) as unknown[]).length).toBe(100)
  })

  it('does not change its input', () => {
    const input = { apiKey: 'sk', list: [{ password: 'p' }] }
    redactValue(input)
    expect(input).toEqual({ apiKey: 'sk', list: [{ password: 'p' }] })
  })

  it('isSecretKey agrees', () => {
    expect(isSecretKey('dingtalk.clientSecret')).toBe(true)
    expect(isSecretKey('auditKey')).toBe(true)
    expect(isSecretKey('http.port')).toBe(false)
    expect(isSecretKey('author')).toBe(false)
  })
})

describe('scrubSecrets', () => {
  it('replaces a known secret as written, JSON-escaped and line by line; the longest first; never short values', () => {
    addKnownSecret('tok-short-1')
    addKnownSecret('tok-short-1-and-longer')
    addKnownSecret('line-one-abc\nline-two-xyz"q')
    addKnownSecret('abc')
    addKnownSecret(undefined)
    expect(scrubSecrets('a tok-short-1-and-longer b tok-short-1 c')).toBe('a [redacted] b [redacted] c')
    expect(scrubSecrets(JSON.stringify({ m: 'key line-one-abc\nline-two-xyz"q end' }))).toBe(
      '{"m":"key [redacted] end"}',
    )
    expect(scrubSecrets('line-one-abc | line-two-xyz"q')).toBe('[redacted] | [redacted]')
    expect(scrubSecrets('abc stays, and ?session=s1 does not')).toBe('abc stays, and ?session=[redacted] does not')
    // The same scrubber behind redactValue, so audit args and details are scrubbed too.
    expect(redactValue({ note: 'sent tok-short-1' })).toEqual({ note: 'sent [redacted]' })
  })
})

describe('canonicalJson', () => {
  it('sorts object keys at every depth so equal values serialize the same', () => {
    const a = { b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } }
    const b = { a: { c: 'x', d: [3, { y: 2, z: 1 }] }, b: 1 }
    expect(canonicalJson(a)).toBe(canonicalJson(b))
    expect(canonicalJson(a)).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}')
  })

  it('keeps array order and handles scalars', () => {
    expect(canonicalJson([2, 1])).toBe('[2,1]')
    expect(canonicalJson('s')).toBe('"s"')
    expect(canonicalJson(null)).toBe('null')
    expect(canonicalJson({ u: undefined, n: null })).toBe('{"n":null}')
  })
})
