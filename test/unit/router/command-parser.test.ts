import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseCommandLine, toArgsInput } from '../../../src/router/command-parser.js'

function ok(text: string) {
  const r = parseCommandLine(text)
  if (!r.ok) throw new Error(`expected ok for ${JSON.stringify(text)}, got ${r.error}`)
  return r.command
}

describe('parseCommandLine', () => {
  it('splits name, positional words and key=value fields', () => {
    expect(ok('/budget chat context=8000 diag=4096')).toEqual({
      name: 'budget',
      positional: ['chat'],
      named: { context: '8000', diag: '4096' },
    })
  })

  it('lower-cases the name and trims surrounding space (groups prefix a space)', () => {
    expect(ok('  /STATUS  ').name).toBe('status')
  })

  it('groups quoted words, with ASCII and Chinese quotes, and keeps = inside quotes positional', () => {
    expect(ok('/disable-skill ping "too noisy today"').positional).toEqual(['ping', 'too noisy today'])
    expect(ok('/disable-skill ping “太吵了 today”').positional).toEqual(['ping', '太吵了 today'])
    expect(ok('/incident on "a=b"')).toEqual({ name: 'incident', positional: ['on', 'a=b'], named: {} })
  })

  it('keeps a value after the first = whole, and an empty value', () => {
    expect(ok('/x url=http://a/?b=c empty=').named).toEqual({ url: 'http://a/?b=c', empty: '' })
  })

  it('treats words that only look like key=value as positional', () => {
    expect(ok('/x =v 1a=b Key=c').positional).toEqual(['=v', '1a=b', 'Key=c'])
  })

  it('refuses what it cannot read, with a sentence', () => {
    expect(parseCommandLine('status')).toMatchObject({ ok: false, error: expect.stringContaining('starts with /') })
    expect(parseCommandLine('/')).toMatchObject({ ok: false })
    expect(parseCommandLine('/9lives')).toMatchObject({ ok: false, error: expect.stringContaining('letters') })
    expect(parseCommandLine('/x "open')).toMatchObject({ ok: false, error: 'a quote is not closed' })
    expect(parseCommandLine('/x a=1 a=2')).toMatchObject({ ok: false, name: 'x', error: 'a= is given twice' })
    expect(parseCommandLine('/x ' + 'w '.repeat(70))).toMatchObject({
      ok: false,
      error: expect.stringContaining('too many words'),
    })
  })

  it('is not fooled by prototype keys', () => {
    const c = ok('/x constructor=1 toString=2 __proto__=3')
    expect(c.named).toEqual({ constructor: '1', toString: '2' })
    expect(c.positional).toEqual(['__proto__=3'])
    expect(Object.getPrototypeOf(c.named)).toBe(Object.prototype)
  })

  it('never throws on hostile input (property)', () => {
    // Any code point, lone surrogates included (fast-check's built-in unicode units are slow to build).
    const codePoint = fc.integer({ min: 0, max: 0x10ffff }).map((cp) => String.fromCodePoint(cp))
    const hostile = fc.oneof(
      fc.string({ unit: codePoint, maxLength: 300 }),
      fc.string({ unit: codePoint, maxLength: 300 }).map((s) => '/' + s),
      fc
        .array(fc.constantFrom('/', 'a', '=', '"', '“', '”', ' ', '\n', '\u0000', 'x=y', '__proto__', '-'), {
          maxLength: 200,
        })
        .map((a) => a.join('')),
    )
    fc.assert(
      fc.property(hostile, (text) => {
        const r = parseCommandLine(text)
        if (!r.ok) return r.error.length > 0
        return (
          /^[a-z][a-z0-9-]{0,39}$/.test(r.command.name) &&
          r.command.positional.length + Object.keys(r.command.named).length <= 64
        )
      }),
      { numRuns: 500 },
    )
  })

  it('stays fast on a very long line', () => {
    const started = performance.now()
    parseCommandLine('/x ' + 'a'.repeat(200_000) + ' "' + 'b '.repeat(50_000))
    expect(performance.now() - started).toBeLessThan(1000)
  })
})

describe('toArgsInput', () => {
  it('maps positional words to names, a trailing ... name takes the rest', () => {
    const cmd = ok('/disable-skill ping too noisy today')
    expect(toArgsInput(cmd, ['skill', 'reason...'])).toEqual({
      ok: true,
      input: { skill: 'ping', reason: 'too noisy today' },
    })
  })

  it('keeps named fields and reports extra words', () => {
    const cmd = ok('/budget chat extra words context=1')
    expect(toArgsInput(cmd, ['route'])).toEqual({
      ok: true,
      input: { context: '1', route: 'chat', _extra: ['extra', 'words'] },
    })
  })

  it('leaves absent fields out', () => {
    expect(toArgsInput(ok('/incident'), ['mode', 'reason...'])).toEqual({ ok: true, input: {} })
  })

  it('takes a field as a word or as key=value alike', () => {
    expect(toArgsInput(ok('/disable-skill skill=ping'), ['skill', 'reason...'])).toEqual({
      ok: true,
      input: { skill: 'ping' },
    })
    expect(toArgsInput(ok('/disable-skill ping'), ['skill', 'reason...'])).toEqual({
      ok: true,
      input: { skill: 'ping' },
    })
    expect(toArgsInput(ok('/incident on reason=db'), ['mode', 'reason...'])).toEqual({
      ok: true,
      input: { mode: 'on', reason: 'db' },
    })
  })

  it('refuses a field given both as a word and as key=value, instead of dropping one of them', () => {
    const twice = (field: string) => ({
      ok: false,
      error: `${field}= is given twice: once as a word, once as ${field}=`,
    })
    expect(toArgsInput(ok('/approve abc id=def'), ['id'])).toEqual(twice('id'))
    expect(toArgsInput(ok('/disable-skill ping skill=ask'), ['skill', 'reason...'])).toEqual(twice('skill'))
    expect(toArgsInput(ok('/incident on reason=db "disk full"'), ['mode', 'reason...'])).toEqual(twice('reason'))
  })
})
