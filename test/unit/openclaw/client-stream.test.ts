import { once } from 'node:events'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createEgressFactory } from '../../../src/egress/factory.js'
import { GatewayRefused, sendTurn } from '../../../src/openclaw/client.js'
import type { GatewayRequest } from '../../../src/openclaw/request.js'

const chunk = (content: string) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`

describe('the OpenClaw client streams text deltas through the egress client', () => {
  let close: (() => Promise<void>) | undefined
  afterEach(async () => {
    await close?.()
    close = undefined
  })

  async function serve(handler: (res: ServerResponse) => void) {
    const server = createServer((req, res) => {
      req.resume()
      req.on('end', () => handler(res))
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const dest = `127.0.0.1:${(server.address() as AddressInfo).port}`
    close = () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
    const egress = createEgressFactory({ allowHttpLoopback: [dest] }).forRoute('claw', [dest])
    const request = (stream: boolean): GatewayRequest => ({
      url: `http://${dest}/v1/chat/completions`,
      headers: {},
      body: { model: 'openclaw/default', user: 'u', messages: [], max_completion_tokens: 100, stream },
    })
    return { egress, request }
  }

  it('hands over the first delta while the gateway is still writing, then the whole answer with its usage', async () => {
    let finish: (() => void) | undefined
    const { egress, request } = await serve((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write(chunk('你好，'))
      finish = () => {
        res.write(chunk('world'))
        // A tool call the Gateway reports is counted (the router offers no client tools, so it runs none).
        res.write(
          `data: ${JSON.stringify({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'x', arguments: '' } }] }, finish_reason: 'tool_calls' }] })}\n\n`,
        )
        res.write(
          `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 42, completion_tokens: 7, prompt_tokens_details: { cached_tokens: 30 } } })}\n\n`,
        )
        res.end('data: [DONE]\n\n')
      }
    })
    const turn = sendTurn(egress, request(true), 5000)
    const reader = turn.deltas[Symbol.asyncIterator]()
    // The gateway has not finished: this delta can only have arrived by streaming.
    expect((await reader.next()).value).toBe('你好，')
    finish!()
    expect((await reader.next()).value).toBe('world')
    expect((await reader.next()).done).toBe(true)
    expect(await turn.done).toMatchObject({
      content: '你好，world',
      toolCalls: 1,
      usage: { prompt: 42, completion: 7, cached: 30 },
    })
  })

  it('a stream cut before [DONE] fails; a 4xx is a GatewayRefused with the gateway message; JSON answers work too', async () => {
    let mode: 'cut' | 'refuse' | 'json' = 'cut'
    const { egress, request } = await serve((res) => {
      if (mode === 'cut') {
        res.writeHead(200, { 'content-type': 'text/event-stream' })
        return res.end(chunk('partial'))
      }
      if (mode === 'refuse')
        return res
          .writeHead(403, { 'content-type': 'application/json' })
          .end('{"error":{"message":"missing scope: operator.admin","type":"forbidden"}}')
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ choices: [{ message: { content: 'one piece' }, finish_reason: 'stop' }] }))
    })
    await expect(sendTurn(egress, request(true), 5000).done).rejects.toThrow('ended before data: [DONE]')
    mode = 'refuse'
    const refused = await sendTurn(egress, request(true), 5000).done.catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(GatewayRefused)
    expect(refused).toMatchObject({ status: 403 })
    mode = 'json'
    const turn = sendTurn(egress, request(false), 5000)
    const deltas: string[] = []
    for await (const d of turn.deltas) deltas.push(d as string)
    expect(deltas).toEqual(['one piece'])
    expect((await turn.done).content).toBe('one piece')
  })
})
