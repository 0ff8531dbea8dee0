import { TOPIC_ROBOT, type DWClientDownStream } from 'dingtalk-stream'
import { BareClient, connectAndReport, postPong } from './bare-client.js'
import { serveParent } from './ipc.js'

// The floor the router is measured against: DingTalk's own SDK with nothing in between. It acks each
// robot callback and POSTs `pong` to the sessionWebhook over a keep-alive node:http agent, as the router does.

const failures = new Map<string, number>()
const failed = (why: string) => failures.set(why, (failures.get(why) ?? 0) + 1)
const client = new BareClient()
client.registerCallbackListener(TOPIC_ROBOT, (frame: DWClientDownStream) => {
  client.socketCallBackResponse(frame.headers.messageId, {})
  const payload = JSON.parse(frame.data) as { sessionWebhook: string }
  postPong(payload.sessionWebhook, failed)
})

serveParent(async () => {
  client.disconnect()
  for (const [why, n] of failures) process.stderr.write(`bare client: ${n} webhook posts failed: ${why}\n`)
})
await connectAndReport(client)
