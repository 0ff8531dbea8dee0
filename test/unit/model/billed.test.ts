import { describe, expect, it } from 'vitest'
import { EgressError } from '../../../src/egress/client.js'
import { promptBilled } from '../../../src/model/billed.js'

describe('promptBilled', () => {
  it('is true for a failure after the prompt went out, false for one refused before it left or unread', () => {
    const dest = 'llm.internal.example:443'
    const billed = [
      new EgressError('timeout', 'POST https://llm.internal.example/v1 timed out after 300 ms', dest),
      new EgressError('http-status', 'POST https://llm.internal.example/v1 answered 500', dest, 500),
      new EgressError('network', 'POST https://llm.internal.example/v1 failed: ECONNRESET', dest),
      new EgressError('too-large', 'answer over 1 MiB', dest),
      new Error('the model at llm.internal.example stopped streaming before the end of its answer'),
    ]
    const unbilled = [
      new EgressError('breaker-open', `${dest}: circuit open after repeated failures`, dest),
      new EgressError('bulkhead-full', `${dest}: 8 calls already in flight`, dest),
      new EgressError('not-allowed', 'llm.other.example:443 is not in this route’s egress list'),
      new EgressError('http-status', 'POST https://llm.internal.example/v1 answered 401', dest, 401),
      new EgressError('http-status', 'POST https://llm.internal.example/v1 answered 429', dest, 429),
      new EgressError('network', 'POST https://llm.internal.example/v1 failed: ECONNREFUSED', dest),
      new EgressError('network', 'POST https://llm.internal.example/v1 failed: ENOTFOUND', dest),
    ]
    expect(billed.map((e) => promptBilled(e))).toEqual(billed.map(() => true))
    expect(unbilled.map((e) => promptBilled(e))).toEqual(unbilled.map(() => false))
  })
})
