import { request } from 'node:http'

/** What {@link rawRequest} got back. */
export interface RawAnswer {
  status: number
  body: string
}

/**
 * One HTTP request with exactly these headers, Host included (fetch does not let a caller set Host or
 * Origin as a browser would). Event streams are cut after the status line arrives.
 * @example await rawRequest('http://127.0.0.1:8090/sim/messages', { method: 'POST', headers: { host: 'evil.example' }, body: '{}' })
 */
export function rawRequest(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers ?? {} }, (res) => {
      if ((res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
        resolve({ status: res.statusCode ?? 0, body: '' })
        res.destroy()
        return
      }
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end(init.body)
  })
}

/**
 * The hostile requests a web page can make to a loopback port, and the one a local client makes: each must
 * be refused (403) except `sameOriginJson`.
 * @example const cases = messagePosts(new URL(sim.baseUrl).host)
 */
export function messagePosts(host: string): Record<string, { headers: Record<string, string> }> {
  const json = { 'content-type': 'application/json' }
  return {
    crossOrigin: { headers: { host, ...json, origin: 'https://evil.example' } },
    nullOrigin: { headers: { host, ...json, origin: 'null' } },
    textPlain: { headers: { host, 'content-type': 'text/plain;charset=UTF-8' } },
    formEncoded: { headers: { host, 'content-type': 'application/x-www-form-urlencoded' } },
    foreignHost: { headers: { ...json, host: `rebound.evil.example:${host.split(':').pop()}` } },
    wrongPort: { headers: { ...json, host: '127.0.0.1:1' } },
    sameOriginJson: { headers: { host, ...json, origin: `http://${host}` } },
  }
}
