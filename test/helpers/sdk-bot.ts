import { once } from 'node:events'
import { type DWClient, TOPIC_ROBOT, type DWClientDownStream } from 'dingtalk-stream'
import WebSocket from 'ws'
import { afterEach } from 'vitest'
import { QuietDWClient } from '../../src/dingtalk/quiet-client.js'
import { DingTalkSimulator, type SimulatorOptions } from '../../src/simulator/index.js'

/**
 * The real SDK client (its frame parsing and acks), pointed at the simulator's gateway instead of
 * api.dingtalk.com, without its console prints (QuietDWClient).
 */
export class SimDWClient extends QuietDWClient {
  constructor(
    private readonly gatewayUrl: string,
    creds: { clientId: string; clientSecret: string },
  ) {
    super({ ...creds })
    this.config.autoReconnect = false
    // The SDK shares one subscriptions array between all instances; give this one its own.
    this.config.subscriptions = [{ type: 'EVENT', topic: '*' }]
  }

  override async getEndpoint(): Promise<this> {
    await useSimulatorEndpoint(this, this.gatewayUrl)
    return this
  }
}

/**
 * What `getEndpoint` does against api.dingtalk.com, against the simulator's gateway instead: opens a
 * connection with the client's credentials and subscriptions and sets the SDK's private socket URL.
 */
export async function useSimulatorEndpoint(client: DWClient, gatewayUrl: string): Promise<void> {
  const res = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      clientId: client.config.clientId,
      clientSecret: client.config.clientSecret,
      ua: '',
      subscriptions: client.config.subscriptions,
    }),
  })
  if (!res.ok) throw new Error(`connections/open answered ${res.status}: ${await res.text()}`)
  const { endpoint, ticket } = (await res.json()) as { endpoint: string; ticket: string }
  ;(client as unknown as { dw_url: string }).dw_url = `${endpoint}?ticket=${encodeURIComponent(ticket)}`
}

/** A connected SDK bot plus what it received. */
export interface Bot {
  client: SimDWClient
  frames: DWClientDownStream[]
  /** Resolves with the n-th (1-based) robot frame. */
  frame(n: number): Promise<DWClientDownStream>
}

/**
 * Connect the real SDK to the simulator. `ack` decides per frame whether to ack; `onMessage` runs after.
 */
export async function connectBot(
  sim: DingTalkSimulator,
  opts: {
    ack?: (frame: DWClientDownStream, n: number) => boolean
    onMessage?: (frame: DWClientDownStream, payload: Record<string, unknown>) => void
    clientSecret?: string
  } = {},
): Promise<Bot> {
  const client = new SimDWClient(sim.gatewayUrl, {
    clientId: sim.clientId,
    clientSecret: opts.clientSecret ?? sim.clientSecret,
  })
  const frames: DWClientDownStream[] = []
  const waiters: Array<{ n: number; resolve: (f: DWClientDownStream) => void }> = []
  client.registerCallbackListener(TOPIC_ROBOT, (frame) => {
    frames.push(frame)
    if (opts.ack?.(frame, frames.length) ?? true) client.socketCallBackResponse(frame.headers.messageId, {})
    opts.onMessage?.(frame, JSON.parse(frame.data) as Record<string, unknown>)
    for (const w of waiters.filter((x) => x.n <= frames.length)) w.resolve(frames[w.n - 1])
  })
  await client.getEndpoint()
  await client._connect()
  return {
    client,
    frames,
    frame: (n) =>
      frames.length >= n ? Promise.resolve(frames[n - 1]) : new Promise((resolve) => waiters.push({ n, resolve })),
  }
}

/** Ask the gateway for a ticket; returns the raw response. */
export function openConnection(
  sim: DingTalkSimulator,
  body: Record<string, unknown> = {},
  accept = 'application/json',
): Promise<Response> {
  return fetch(sim.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept },
    body: JSON.stringify({
      clientId: sim.clientId,
      clientSecret: sim.clientSecret,
      subscriptions: [{ type: 'CALLBACK', topic: TOPIC_ROBOT }],
      ...body,
    }),
  })
}

/** A plain `ws` client with a ticket, for frames the SDK would choke on. Collects text messages. */
export async function rawClient(
  sim: DingTalkSimulator,
): Promise<{ ws: WebSocket; messages: string[]; next(): Promise<string> }> {
  const { endpoint, ticket } = (await (await openConnection(sim)).json()) as { endpoint: string; ticket: string }
  const ws = new WebSocket(`${endpoint}?ticket=${encodeURIComponent(ticket)}`)
  const messages: string[] = []
  const pending: string[] = []
  const waiters: Array<(m: string) => void> = []
  ws.on('message', (d) => {
    const m = d.toString()
    messages.push(m)
    const w = waiters.shift()
    if (w) w(m)
    else pending.push(m)
  })
  await once(ws, 'open')
  return {
    ws,
    messages,
    next: () => {
      const m = pending.shift()
      return m !== undefined ? Promise.resolve(m) : new Promise((resolve) => waiters.push(resolve))
    },
  }
}

/** Try a WebSocket upgrade; resolves with the HTTP status it was refused with, or 101 when it opened. */
export function tryUpgrade(url: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url)
    ws.on('open', () => {
      ws.terminate()
      resolve(101)
    })
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0)
      res.resume()
      ws.terminate()
    })
    ws.on('error', () => resolve(-1))
  })
}

/** POST JSON and return status plus parsed body. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}

/**
 * One simulator per test, plus the bots and raw sockets the test opened, all closed after each test.
 * @example const fixture = simulatorFixture(); const sim = await fixture.start({ redeliveryDelayMs: 200 })
 */
export function simulatorFixture() {
  let current: DingTalkSimulator | undefined
  const bots: Bot[] = []
  const sockets: WebSocket[] = []
  afterEach(async () => {
    for (const b of bots.splice(0)) b.client.disconnect()
    for (const s of sockets.splice(0)) s.terminate()
    await current?.stop()
    current = undefined
  })
  return {
    bots,
    sockets,
    async start(opts: SimulatorOptions = {}): Promise<DingTalkSimulator> {
      current = new DingTalkSimulator(opts)
      await current.start()
      return current
    },
  }
}
