import { EgressError } from './client.js'
import type { Deadline } from './deadline.js'
import type { Target } from './destination.js'

// One HTTP hop of an egress call, within its deadline and body cap; which failures count against a breaker.

/** What one network round trip produced. A followable redirect carries its Location and no body. */
export interface HopResult {
  status: number
  headers: Record<string, string>
  text: string
  location?: string
}

/** The request as sent on one hop; redirects rewrite it between hops. */
export interface HopInit {
  method: string
  headers: Headers
  body?: string
  maxBytes: number
  /** Receives the final answer's body as it arrives, decoded (never a redirect's). */
  onText?: (piece: string) => void
}

const FOLLOWED = new Set([301, 302, 303, 307, 308])

// Errors that say nothing about the destination's health, even though their code is 'timeout'.
const blameless = new WeakSet<Error>()

/**
 * Whether an error means the destination is unhealthy, so it counts against that destination's breaker.
 * Policy refusals, too-large bodies and 4xx answers do not.
 * @example handleWhen(isDestinationFault)
 */
export function isDestinationFault(e: unknown): boolean {
  return e instanceof EgressError && (e.code === 'timeout' || e.code === 'network') && !blameless.has(e)
}

/**
 * Sends one request without following redirects and reads the body under the byte cap.
 * Every failure comes out as an EgressError ('timeout', 'network' or 'too-large').
 * @example const hop = await fetchHop(target, { method: 'GET', headers: new Headers(), maxBytes: 1 << 20 }, deadline)
 */
export async function fetchHop(target: Target, init: HopInit, deadline: Deadline): Promise<HopResult> {
  const where = `${init.method} ${target.safe}`
  if (deadline.expired) {
    // The budget ran out while waiting on a half-open trial call; the destination never saw this one.
    const e = new EgressError(
      'timeout',
      `${where} timed out after ${deadline.ms} ms before it was sent`,
      target.destination,
    )
    blameless.add(e)
    throw e
  }
  let res: Response
  try {
    res = await fetch(target.url, {
      method: init.method,
      headers: init.headers,
      body: init.body,
      redirect: 'manual',
      signal: deadline.signal,
    })
  } catch (e) {
    throw transportError(e, where, target, deadline)
  }
  const headers: Record<string, string> = {}
  res.headers.forEach((value, name) => {
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value
  })
  const location = FOLLOWED.has(res.status) ? (res.headers.get('location') ?? undefined) : undefined
  if (location !== undefined) {
    await res.body?.cancel().catch(() => undefined)
    return { status: res.status, headers, text: '', location }
  }
  const ok = res.status >= 200 && res.status < 300
  const text = await readCapped(res, init.maxBytes, where, target, deadline, ok ? init.onText : undefined)
  return { status: res.status, headers, text }
}

async function readCapped(
  res: Response,
  maxBytes: number,
  where: string,
  target: Target,
  deadline: Deadline,
  onText?: (piece: string) => void,
): Promise<string> {
  const tooLarge = () =>
    new EgressError('too-large', `${where}: response larger than ${maxBytes} bytes`, target.destination)
  if (Number(res.headers.get('content-length') ?? 0) > maxBytes) {
    void res.body?.cancel().catch(() => undefined)
    throw tooLarge()
  }
  if (!res.body) return ''
  const reader = res.body.getReader()
  const decoder = onText ? new TextDecoder() : undefined
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    let chunk: Awaited<ReturnType<typeof reader.read>>
    try {
      chunk = await reader.read()
    } catch (e) {
      throw transportError(e, where, target, deadline)
    }
    if (chunk.done) break
    total += chunk.value.byteLength
    if (total > maxBytes) {
      // Cancelling tears the connection down, so a hostile endless body stops costing us at once.
      void reader.cancel().catch(() => undefined)
      throw tooLarge()
    }
    chunks.push(chunk.value)
    if (decoder) onText!(decoder.decode(chunk.value, { stream: true }))
  }
  return Buffer.concat(chunks).toString('utf8')
}

function transportError(e: unknown, where: string, target: Target, deadline: Deadline): EgressError {
  if (deadline.expired)
    return new EgressError('timeout', `${where} timed out after ${deadline.ms} ms`, target.destination)
  const err = e instanceof Error ? e : new Error(String(e))
  const cause = err.cause instanceof Error ? err.cause : undefined
  const code = (cause as { code?: unknown } | undefined)?.code
  const detail = typeof code === 'string' ? code : (cause?.message ?? err.message)
  return new EgressError('network', `${where} failed: ${detail.replace(/\?\S*/g, '')}`, target.destination)
}
