import http from 'node:http'
import https from 'node:https'
import { parseJson } from '../json.js'

// POSTs JSON to a sessionWebhook with node:http(s) and reads the answer: the reply hot path.

/** Enough for any sessionWebhook answer (`{"errcode":0,"errmsg":"ok"}`); a longer body is not read. */
const MAX_RESPONSE_BYTES = 64 * 1024
/** Replies in flight per webhook host; more wait in the agent's queue, their timeout not yet running. */
const MAX_SOCKETS = 64

/** Idle pooled connections close after this, before a server's usual 5 s keep-alive ends them mid-reuse. */
const IDLE_MS = 4000

// Keep-alive pools, one per protocol: a reply reuses a warm connection instead of paying a TCP (and, to
// DingTalk, a TLS) handshake per message.
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS, timeout: IDLE_MS }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS, timeout: IDLE_MS }),
}

/** Status and parsed body of a webhook POST; `json` is undefined when the body was not JSON or too long. */
export interface WebhookResponse {
  status: number
  json: unknown
}

/**
 * POSTs a JSON body with node:http(s) and reads the JSON answer. This is the reply hot path: global
 * `fetch` (undici and web streams) cost about three times the CPU per request on Node 20 (measured
 * ~350–440 µs against ~110–140 µs per POST, see test/bench/RESULTS.md). Redirects are never
 * followed; certificates are verified (https defaults). `timeoutMs` bounds one attempt from the moment it
 * has a connection, so replies queued behind `MAX_SOCKETS` busy ones do not time out while waiting.
 * @example const { status, json } = await postJson(msg.sessionWebhook, { msgtype: 'text', text: { content: 'pong' } }, 5000)
 */
export function postJson(url: string | URL, body: unknown, timeoutMs: number): Promise<WebhookResponse> {
  let target: URL
  try {
    // A URL the caller has parsed already (to check its host) is not parsed again: this runs per reply.
    target = typeof url === 'string' ? new URL(url) : url
  } catch {
    return Promise.reject(new Error('invalid webhook URL'))
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    return Promise.reject(new Error(`unsupported protocol ${target.protocol}`))
  const payload = JSON.stringify(body)
  const send = target.protocol === 'https:' ? https.request : http.request
  return new Promise((resolve, reject) => {
    let settled = false
    let timer: NodeJS.Timeout | undefined
    const settle = (err: Error | undefined, value?: WebhookResponse) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (err) {
        req.destroy()
        reject(err)
      } else resolve(value!)
    }
    const req = send(
      target,
      {
        method: 'POST',
        agent: agents[target.protocol as 'http:' | 'https:'],
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size <= MAX_RESPONSE_BYTES) return void chunks.push(chunk)
          res.destroy()
          settle(undefined, { status: res.statusCode ?? 0, json: undefined })
        })
        res.on('end', () =>
          settle(undefined, { status: res.statusCode ?? 0, json: parseJson(Buffer.concat(chunks).toString('utf8')) }),
        )
        res.on('error', (err) => settle(err))
      },
    )
    req.on('socket', () => {
      timer ??= setTimeout(() => settle(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
    })
    req.on('error', (err) => settle(err))
    req.end(payload)
  })
}
