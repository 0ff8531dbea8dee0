import type { IncomingHttpHeaders } from 'node:http'

/** The parts of a request these checks read (node's IncomingMessage and Koa's ctx.req both fit). */
export interface RequestHead {
  method?: string
  headers: IncomingHttpHeaders
}

const LOOPBACK_NAME = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i

/**
 * Why a request's `Host` is not this loopback listener, or undefined when it is. A DNS-rebinding page
 * reaches a loopback port under its own name (`evil.example:8090`), so only loopback names pass; with
 * `port`, the Host's port must be that one too (80 when it names none).
 * @example hostRefusal({ headers: { host: 'evil.example:8090' } }, 8090) // 'foreign Host header refused: evil.example:8090'
 */
export function hostRefusal(req: RequestHead, port?: number): string | undefined {
  const host = req.headers.host ?? ''
  const m = HOST_HEADER.exec(host)
  const refused = `foreign Host header refused: ${host.slice(0, 80) || '(none)'} (use 127.0.0.1 or localhost)`
  if (!m || !LOOPBACK_NAME.test(m[1]!)) return refused
  if (port !== undefined && Number(m[2] ?? 80) !== port) return refused
  return undefined
}

/**
 * Why a state-changing request is not a same-origin JSON request, or undefined when it is. A cross-site
 * form or `fetch` can send `text/plain` without a preflight; requiring `application/json` and a matching
 * (or absent) `Origin` leaves such a page nothing to send. Call after {@link hostRefusal}.
 * @example mutationRefusal({ method: 'POST', headers: { host: '127.0.0.1:8090', 'content-type': 'text/plain' } })
 */
function mutationRefusal(req: RequestHead): string | undefined {
  const origin = req.headers.origin
  if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`)
    return `cross-origin request refused (Origin ${origin.slice(0, 80)})`
  const type = (req.headers['content-type'] ?? '').toLowerCase()
  if (!/^application\/json\s*(?:;|$)/.test(type)) return 'only application/json requests are accepted'
  return undefined
}

/**
 * Both checks for one request: Host always, Origin and JSON for anything but GET and HEAD.
 * @example const why = localRequestRefusal(req, server.port); if (why) return send(res, 403, why)
 */
export function localRequestRefusal(req: RequestHead, port?: number): string | undefined {
  const method = (req.method ?? 'GET').toUpperCase()
  return hostRefusal(req, port) ?? (method === 'GET' || method === 'HEAD' ? undefined : mutationRefusal(req))
}
