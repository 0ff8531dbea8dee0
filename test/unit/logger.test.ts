import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger, redactUrl } from '../../src/logger.js'

function capture() {
  const lines: string[] = []
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean))
      done()
    },
  })
  return { lines, destination }
}

describe('createLogger', () => {
  it('scrubs known secrets, secrets learned later, credential params and redacted paths', () => {
    const { lines, destination } = capture()
    const { logger, addSecret } = createLogger({
      level: 'info',
      secrets: ['configured-secret-1', undefined, 'abc'],
      destination,
    })
    addSecret('runtime-token-xyz')
    logger.info(
      { note: 'configured-secret-1 leaked', clientSecret: 'x', deep: { accessToken: 'y', sessionWebhook: 'z' } },
      'token runtime-token-xyz',
    )
    logger.info(
      'posting to https://oapi.dingtalk.com/robot/sendBySession?session=76da36b48f59e8&a=1 with ticket=T1 and abc',
    )
    const text = lines.join('\n')
    expect(text).not.toContain('configured-secret-1')
    expect(text).not.toContain('runtime-token-xyz')
    expect(text).not.toContain('76da36b48f59e8')
    expect(text).toContain('session=[redacted]')
    // Values shorter than 6 characters would scrub ordinary words: they are not scrubbed.
    expect(text).toContain('with ticket=T1 and abc')
    const first = JSON.parse(lines[0]!) as Record<string, unknown>
    expect(first).toMatchObject({
      clientSecret: '[redacted]',
      deep: { accessToken: '[redacted]', sessionWebhook: '[redacted]' },
    })
  })

  it('scrubs a secret holding a newline, a double quote or a backslash, which a log line writes escaped', () => {
    const { lines, destination } = capture()
    const secret = 'sk-a\nsk-b"q\\z'
    const { logger } = createLogger({ level: 'info', secrets: [secret], destination })
    // What new Headers() throws for such a key: the message quotes the whole header value.
    const err = (() => {
      try {
        new Headers({ authorization: `Bearer ${secret}` })
      } catch (e) {
        return e as Error
      }
      throw new Error('expected Headers to refuse the value')
    })()
    expect(err.message).toContain(secret)
    logger.error({ err: err.message, nested: { text: `key=${secret}` } }, `call failed: ${secret}`)
    const text = lines.join('\n')
    const escaped = JSON.stringify(secret).slice(1, -1)
    expect(text).not.toContain(escaped)
    for (const part of ['sk-a', 'sk-b']) expect(text).not.toContain(part)
    const record = JSON.parse(lines[0]!) as Record<string, unknown>
    expect(record).toMatchObject({ msg: 'call failed: [redacted]', nested: { text: 'key=[redacted]' } })
    expect(record.err).toMatch(/^Headers\.append: "Bearer \[redacted\]" is an invalid header value\.$/)
  })

  it('redactUrl keeps the rest of the URL', () => {
    expect(redactUrl('http://127.0.0.1:1/x?session=abc&keep=1')).toBe('http://127.0.0.1:1/x?session=[redacted]&keep=1')
  })
})
