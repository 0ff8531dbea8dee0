import { DWClient } from 'dingtalk-stream'
import http from 'node:http'

// DingTalk's own SDK client, pointed at the bench's simulator, for the bench's reference bots (the bare bot
// and the durable floor). Its endpoint override is the one the simulator tests use (test/helpers/sdk-bot.ts),
// repeated here so these children import nothing from the router's stream code.

const gatewayUrl = process.env.DINGTALK_GATEWAY_URL ?? ''
const clientId = process.env.DINGTALK_CLIENT_ID ?? ''
const clientSecret = process.env.DINGTALK_CLIENT_SECRET ?? ''

/** The reply both reference bots POST to the sessionWebhook. */
const PONG_BODY = JSON.stringify({ msgtype: 'text', text: { content: 'pong' } })

/** Keep-alive connections to the sessionWebhook, as the router keeps them. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })

/**
 * POSTs `pong` to a sessionWebhook and drains the answer; `answered` runs once it was read. Failures are
 * counted by cause (`failed`), not logged one by one: the parent sees the missing replies anyway.
 */
export function postPong(url: string, failed: (why: string) => void, answered?: () => void): void {
  const req = http.request(
    url,
    {
      method: 'POST',
      agent,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(PONG_BODY) },
    },
    (res) => {
      res.resume()
      if (answered) res.on('end', answered)
      res.on('error', (err) => failed(err.message))
    },
  )
  req.on('error', (err) => failed(err.message))
  req.end(PONG_BODY)
}

export class BareClient extends DWClient {
  constructor() {
    super({ clientId, clientSecret, keepAlive: false })
    this.config.autoReconnect = false
    // The SDK shares one subscriptions array between instances; this one gets its own.
    this.config.subscriptions = [{ type: 'EVENT', topic: '*' }]
  }

  override async getEndpoint(): Promise<this> {
    const res = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ clientId, clientSecret, ua: '', subscriptions: this.config.subscriptions }),
    })
    if (!res.ok) throw new Error(`connections/open answered ${res.status}`)
    const { endpoint, ticket } = (await res.json()) as { endpoint: string; ticket: string }
    ;(this as unknown as { dw_url: string }).dw_url = `${endpoint}?ticket=${encodeURIComponent(ticket)}`
    return this
  }
}

/** Connects to the simulator and tells the parent it is ready (or why not, and exits). */
export async function connectAndReport(client: BareClient): Promise<void> {
  // The SDK prints "connect success" on the console; keep stdout quiet like the router at LOG_LEVEL=warn.
  console.info = () => undefined
  try {
    await client.getEndpoint()
    await client._connect()
    process.send?.({ type: 'ready', pid: process.pid })
  } catch (err) {
    process.send?.({ type: 'error', message: (err as Error).message })
    process.exit(1)
  }
}
