import { request } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { startChatPage, type ChatPage } from '../../src/simulator/chat/page-server.js'
import type { TranscriptEntry } from '../../src/simulator/chat/transcript.js'
import { chatDirectory, SIM_PEOPLE } from '../../src/simulator-mode.js'
import { DingTalkSimulator } from '../../src/simulator/index.js'

const T = { timeout: 30_000 }
let sim: DingTalkSimulator | undefined
let page: ChatPage | undefined
const streams: Array<{ close(): void }> = []

afterEach(async () => {
  for (const s of streams.splice(0)) s.close()
  await page?.stop()
  await sim?.stop()
  page = sim = undefined
})

async function start(): Promise<{ sim: DingTalkSimulator; page: ChatPage }> {
  sim = new DingTalkSimulator()
  await sim.start()
  page = await startChatPage({
    simulatorUrl: sim.baseUrl,
    port: 0,
    ...chatDirectory({ operators: [], adminConversations: [] }),
  })
  return { sim, page }
}

/** Reads an event stream and hands out its entries one by one. */
async function events(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ next(): Promise<TranscriptEntry> }> {
  const controller = new AbortController()
  const res = await fetch(url, { headers, signal: controller.signal })
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
  streams.push({ close: () => controller.abort() })
  let buffer = ''
  return {
    async next() {
      for (;;) {
        const match = /(?:^|\n)data: (.*)\n\n/.exec(buffer)
        if (match) {
          buffer = buffer.slice(match.index + match[0].length)
          return JSON.parse(match[1]) as TranscriptEntry
        }
        const { value, done } = await reader.read()
        if (done) throw new Error('event stream ended')
        buffer += value
      }
    },
  }
}

function postMessage(
  url: string,
  body: unknown,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<Response> {
  return fetch(new URL('/sim/messages', url), { method: 'POST', headers, body: JSON.stringify(body) })
}

/** A raw GET with a chosen Host header (fetch does not let a caller set it). */
function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { host } }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
      .on('error', reject)
      .end()
  })
}

describe('chat page server', () => {
  it('serves the page, its assets and the directory, with a strict content security policy', T, async () => {
    const { page } = await start()
    const html = await fetch(page.url)
    expect(html.status).toBe(200)
    expect(html.headers.get('content-type')).toMatch(/^text\/html/)
    expect(html.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(await html.text()).toContain('<script type="module" src="/chat.js">')
    for (const asset of ['chat.js', 'markdown.js', 'approvals.js', 'chat.css']) {
      expect((await fetch(new URL(asset, page.url))).status, asset).toBe(200)
    }
    const config = (await (await fetch(new URL('/config.json', page.url))).json()) as ReturnType<typeof chatDirectory>
    expect(config.people.map((p) => p.staffId)).toEqual([
      SIM_PEOPLE.user,
      SIM_PEOPLE.operatorOne,
      SIM_PEOPLE.operatorTwo,
      SIM_PEOPLE.stranger,
    ])
    expect(config.groups).toEqual([{ conversationId: SIM_PEOPLE.opsGroup, title: expect.any(String) }])
    expect((await fetch(new URL('/sim/replies?msgId=x', page.url))).status).toBe(404) // only what the page needs is proxied
    expect((await fetch(new URL('/../package.json', page.url))).status).toBe(404)
  })

  it(
    'refuses other hosts, other origins and non-JSON posts, so no other site can speak as an operator',
    T,
    async () => {
      const { sim, page } = await start()
      expect(await getWithHost(page.url, 'evil.example')).toBe(403)
      const body = { text: '/status', senderStaffId: 'op1', conversationId: 'cid-ops' }
      expect(
        (await postMessage(page.url, body, { 'content-type': 'application/json', origin: 'https://evil.example' }))
          .status,
      ).toBe(403)
      expect((await postMessage(page.url, body, { 'content-type': 'text/plain' })).status).toBe(403)
      expect(sim.transcript.since(0)).toEqual([])
      const ok = await postMessage(page.url, body, {
        'content-type': 'application/json',
        origin: page.url.replace(/\/$/, ''),
      })
      expect(ok.status).toBe(200)
      expect(sim.transcript.since(0)).toMatchObject([
        { type: 'message', text: '/status', senderStaffId: 'op1', conversationId: 'cid-ops' },
      ])
    },
  )

  it(
    'streams messages and replies (proactive sends too) through the proxy, and resumes after Last-Event-ID',
    T,
    async () => {
      const { sim, page } = await start()
      const first = sim.sendMessage({ text: '你好', senderStaffId: 'user1' })
      const stream = await events(new URL('/sim/events', page.url).href)
      expect(await stream.next()).toMatchObject({
        type: 'message',
        id: 1,
        msgId: first.msgId,
        text: '你好',
        senderNick: '张三',
        conversationId: 'cid-dm-user1',
      })
      await fetch(first.sessionWebhook, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ msgtype: 'markdown', markdown: { title: '问候', text: '**你好**' } }),
      })
      const reply = await stream.next()
      expect(reply).toMatchObject({
        type: 'reply',
        id: 2,
        kind: 'webhook',
        msgId: first.msgId,
        msgtype: 'markdown',
        title: '问候',
        text: '**你好**',
      })
      expect(JSON.stringify(reply)).not.toContain('session=') // the webhook URL is a credential
      const token = (await (
        await fetch(`${sim.apiBase}/v1.0/oauth2/accessToken`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ appKey: sim.clientId, appSecret: sim.clientSecret }),
        })
      ).json()) as { accessToken: string }
      await fetch(`${sim.apiBase}/v1.0/robot/groupMessages/send`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-acs-dingtalk-access-token': token.accessToken },
        body: JSON.stringify({
          robotCode: sim.robotCode,
          openConversationId: 'cid-ops',
          msgKey: 'sampleText',
          msgParam: '{"content":"notice"}',
        }),
      })
      expect(await stream.next()).toMatchObject({
        type: 'reply',
        id: 3,
        kind: 'group',
        conversationId: 'cid-ops',
        text: 'notice',
      })
      const resumed = await events(new URL('/sim/events', page.url).href, { 'last-event-id': '2' })
      expect(await resumed.next()).toMatchObject({ id: 3, text: 'notice' })
    },
  )

  it('answers 502 with a hint when the simulator is gone, and stops even with a stream open', T, async () => {
    const { sim, page } = await start()
    await events(new URL('/sim/events', page.url).href)
    await sim.stop()
    const res = await postMessage(page.url, { text: 'ping' })
    expect(res.status).toBe(502)
    expect(((await res.json()) as { error: string }).error).toMatch(/simulator .* not answering/)
    await page.stop()
  })
})
