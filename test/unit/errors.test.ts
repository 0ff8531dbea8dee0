import { describe, expect, it } from 'vitest'
import { errorMessage } from '../../src/errors.js'
import { addKnownSecret } from '../../src/redact.js'

describe('errorMessage', () => {
  it('reduces anything thrown to text', () => {
    expect(errorMessage(new Error('disk full'))).toBe('disk full')
    expect(errorMessage('plain')).toBe('plain')
    expect(errorMessage(42)).toBe('42')
    const hostile = {
      toString() {
        throw new Error('no')
      },
    }
    expect(errorMessage(hostile)).toBe('unprintable error')
  })

  it('never carries a known secret into a reply, an audit detail or an event', () => {
    const secret = 'sk-errors-test-9f8e7d6c5b4a'
    addKnownSecret(secret)
    // What undici's Headers says about a key file of two lines, quoting the header it was given.
    const thrown = new TypeError(`Headers.append: "Bearer ${secret}" is an invalid header value.`)
    const text = errorMessage(thrown)
    expect(text).not.toContain(secret)
    expect(text).toContain('[redacted]')
    expect(errorMessage(`token ${secret} refused`)).toBe('token [redacted] refused')
  })
})
