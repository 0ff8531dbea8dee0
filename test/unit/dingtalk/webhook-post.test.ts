import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { postJson } from '../../../src/dingtalk/webhook-post.js'

let server: Server | undefined

async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<string> {
  server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')))
  })
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/robot/sendBySession?session=abc`
}

afterEach(async () => {
  server?.closeAllConnections()
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  server = undefined
})

describe('postJson', () => {
  it('posts the JSON body to the full URL and returns status and parsed answer', async () => {
    let seen: { url?: string; type?: string; body?: string } = {}
    const url = await serve((req, res, body) => {
      seen = { url: req.url, type: req.headers['content-type'], body }
      res.end('{"errcode":0,"errmsg":"ok"}')
    })
    const r = await postJson(url, { msgtype: 'text', text: { content: 'pong' } }, 2000)
    expect(r).toEqual({ status: 200, json: { errcode: 0, errmsg: 'ok' } })
    expect(seen).toEqual({
      url: '/robot/sendBySession?session=abc',
      type: 'application/json',
      body: '{"msgtype":"text","text":{"content":"pong"}}',
    })
  })

  it('reuses one keep-alive connection for requests in sequence', async () => {
    const sockets = new Set<unknown>()
    const url = await serve((req, res) => {
      sockets.add(req.socket)
      res.end('{"errcode":0}')
    })
    for (let i = 0; i < 5; i++) await postJson(url, {}, 2000)
    expect(sockets.size).toBe(1)
  })

  it('never follows a redirect', async () => {
    let hits = 0
    const url = await serve((_req, res) => {
      hits++
      res.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' }).end()
    })
    const r = await postJson(url, {}, 2000)
    expect(r.status).toBe(302)
    expect(hits).toBe(1)
  })

  it('gives a non-JSON or oversized answer as json undefined', async () => {
    const url = await serve((req, res) => res.end(req.url?.includes('big') ? 'x'.repeat(200_000) : 'not json'))
    expect((await postJson(url, {}, 2000)).json).toBeUndefined()
    expect((await postJson(url.replace('sendBySession', 'big'), {}, 2000)).json).toBeUndefined()
  })

  it('rejects when the answer takes longer than the timeout', async () => {
    const url = await serve(() => undefined)
    await expect(postJson(url, {}, 200)).rejects.toThrow(/no answer within 200 ms/)
  })

  it('rejects a refused connection and a non-http URL', async () => {
    await expect(postJson('http://127.0.0.1:9/x', {}, 2000)).rejects.toThrow()
    await expect(postJson('file:///etc/passwd', {}, 2000)).rejects.toThrow(/unsupported protocol/)
  })
})
