import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'

/** Result of {@link readBody}: the bytes kept, and whether the limit was passed. */
export interface Body {
  text: string
  size: number
  tooLarge: boolean
}

/**
 * Read a request body, keeping at most `limit` bytes. Past the limit the rest is drained and dropped,
 * so an over-long body can still get a proper JSON answer instead of a reset connection.
 */
export function readBody(req: IncomingMessage, limit = 1_000_000): Promise<Body> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= limit) chunks.push(chunk)
    })
    req.on('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), size, tooLarge: size > limit }))
    req.on('error', reject)
  })
}

/** True for a plain JSON object (not an array, not null). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Write a JSON answer unless the response is already gone. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  })
  res.end(text)
}

/** DingTalk OpenAPI error shape `{code,message,requestid}`. */
export function sendApiError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { code, message, requestid: requestId() })
}

/** A request id in the style of the OpenAPI gateway. */
export function requestId(): string {
  return randomUUID().replace(/-/g, '').toUpperCase()
}
