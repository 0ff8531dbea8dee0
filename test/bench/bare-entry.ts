import { DWClient, TOPIC_ROBOT, type DWClientDownStream } from 'dingtalk-stream'
import http from 'node:http'
import { serveParent } from './ipc.js'

// The floor the router is measured against: DingTalk's own SDK with nothing in between. It acks each
// robot callback and POSTs `pong` to the sessionWebhook over a keep-alive node:http agent, as the router does. Its
// endpoint override is the one the simulator tests use (test/helpers/sdk-bot.ts), repeated here so this
// child imports nothing from the router.

const gatewayUrl = process.env.DINGTALK_GATEWAY_URL ?? ''
const clientId = process.env.DINGTALK_CLIENT_ID ?? ''
const clientSecret = process.env.DINGTALK_CLIENT_SECRET ?? ''

class BareClient extends DWClient {
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

const failures = new Map<string, number>()
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
// Counted by cause, not logged one by one: the parent sees the missing replies anyway.
const failed = (why: string) => failures.set(why, (failures.get(why) ?? 0) + 1)
const PONG = JSON.stringify({ msgtype: 'text', text: { content: 'pong' } })
const client = new BareClient()
client.registerCallbackListener(TOPIC_ROBOT, (frame: DWClientDownStream) => {
  client.socketCallBackResponse(frame.headers.messageId, {})
  const payload = JSON.parse(frame.data) as { sessionWebhook: string }
  const req = http.request(
    payload.sessionWebhook,
    {
      method: 'POST',
      agent,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(PONG) },
    },
    (res) => {
      res.resume()
      res.on('error', (err) => failed(err.message))
    },
  )
  req.on('error', (err) => failed(err.message))
  req.end(PONG)
})

serveParent(async () => {
  client.disconnect()
  for (const [why, n] of failures) process.stderr.write(`bare client: ${n} webhook posts failed: ${why}\n`)
})
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
