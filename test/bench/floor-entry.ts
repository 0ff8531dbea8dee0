import { TOPIC_ROBOT, type DWClientDownStream } from 'dingtalk-stream'
import { GroupCommit } from '../../src/router/group-commit.js'
import { openStores } from '../../src/store/open.js'
import { WalGuard } from '../../src/store/wal-guard.js'
import { BareClient, connectAndReport, postPong } from './bare-client.js'
import { serveParent } from './ipc.js'

// The durable floor: the bare bot with only the router's own durable intake added. Each frame goes into the
// inbox (InboxStore, the real schema and WAL guard, one transaction per event-loop turn like the router's
// group commit, its acks corked into one write like the router's) and is acked after that commit; after the
// reply POST the row is marked done with its usage row. No validation, queue, pool, pipeline or reply
// sender. The router, storing through this same store, cannot spend less per message than this, so it
// shows what storing first costs with that store, against what the router's own code adds on top.

const dbFile = process.env.ROUTER_DB ?? ''
const { db, stores } = openStores({ db: dbFile, auditKey: undefined })
const wal = new WalGuard(db, dbFile, {
  limitBytes: 64 * 1024 * 1024,
  warnBytes: 32 * 1024 * 1024,
  busyTimeoutMs: 5000,
  log: { warn: () => undefined, info: () => undefined },
})
wal.start()

const client = new BareClient()
const commits = new GroupCommit<undefined>(
  (rows) => {
    // As the router's SdkClient does: the acks this commit releases leave in one write.
    const socket = (client as unknown as { socket?: { _socket?: { cork(): void; uncork(): void } } }).socket?._socket
    if (socket) {
      socket.cork()
      process.nextTick(() => socket.uncork())
    }
    return stores.inbox.receiveBatch(rows, Date.now())
  },
  () => undefined,
)
const failures = new Map<string, number>()
const failed = (why: string) => failures.set(why, (failures.get(why) ?? 0) + 1)
const USAGE = { route: 'ping', isError: false, fromFallback: false }

client.registerCallbackListener(TOPIC_ROBOT, (frame: DWClientDownStream) => {
  const payload = JSON.parse(frame.data) as { sessionWebhook: string; msgId: string }
  commits.add(payload.msgId, frame.data, undefined, (stored) => {
    if (stored.kind === 'failed') return failed(String(stored.err))
    client.socketCallBackResponse(frame.headers.messageId, {})
    if (stored.kind === 'duplicate') return
    postPong(payload.sessionWebhook, failed, () =>
      stores.inbox.completeSoon(payload.msgId, Date.now, USAGE).catch((err) => failed(String(err))),
    )
  })
})

serveParent(async () => {
  client.disconnect()
  wal.stop()
  db.close()
  for (const [why, n] of failures) process.stderr.write(`floor client: ${n} failures: ${why}\n`)
})
await connectAndReport(client)
