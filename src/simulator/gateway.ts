import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import { isRecord } from './http-util.js'
import { parseJson } from '../json.js'
import type { Subscription, TicketStore } from './tickets.js'
import type { SimStats } from './types.js'

// The simulator's Stream gateway: accepts the router's WebSocket connections and speaks the frame protocol.

function rawText(d: RawData): string {
  if (Buffer.isBuffer(d)) return d.toString('utf8')
  return (Array.isArray(d) ? Buffer.concat(d) : Buffer.from(d)).toString('utf8')
}

/** One accepted stream connection. */
export interface Connection {
  id: string
  ws: WebSocket
  subscriptions: Subscription[]
  openedAt: number
  /** Half-dead: sends nothing, answers nothing, ignores what it gets. */
  zombie: boolean
  /** Got a SYSTEM disconnect: no more deliveries, closes soon. */
  draining: boolean
}

/** Details of a frame written to a socket, as emitted with `'frame-sent'`. */
export interface FrameInfo {
  connectionId: string
  type: 'SYSTEM' | 'EVENT' | 'CALLBACK'
  topic: string
  messageId: string
}

/** How the gateway reports back to the simulator. */
export interface GatewayHooks {
  onConnection(conn: Connection): void
  /** `data` is the ack's response body (a JSON string), which carries a card callback's card update. */
  onAck(messageId: string, data: unknown): void
  onFrameSent(info: FrameInfo): void
  onPingAnswered(messageId: string): void
  onWsPing(conn: Connection): void
}

/** Fixed settings of the gateway. */
export interface GatewayConfig {
  appId: string
  now: () => number
  tickets: TicketStore
  stats: SimStats
  disconnectCloseDelayMs: number
}

/**
 * The WebSocket side of the stream gateway: ticket-checked upgrades, frames down, acks and ping echoes up.
 * @example
 * server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head))
 */
export class Gateway {
  readonly connections = new Map<string, Connection>()
  private readonly wss = new WebSocketServer({ noServer: true, autoPong: false, maxPayload: 1_000_000 })
  private readonly pendingPings = new Set<string>()
  private readonly timers = new Set<NodeJS.Timeout>()

  constructor(
    private readonly cfg: GatewayConfig,
    private readonly hooks: GatewayHooks,
  ) {}

  /** Accept `/connect?ticket=` with a valid ticket; anything else gets a 401 on the raw socket. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined)
    const url = new URL(req.url ?? '/', 'http://sim')
    const subscriptions =
      url.pathname === '/connect' ? this.cfg.tickets.consume(url.searchParams.get('ticket')) : undefined
    if (!subscriptions) {
      const body = JSON.stringify({ code: 'invalidTicket', message: 'ticket is invalid or expired' })
      socket.once('finish', () => socket.destroy())
      socket.end(
        `HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      )
      return
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, subscriptions))
  }

  private accept(ws: WebSocket, subscriptions: Subscription[]): void {
    const conn: Connection = {
      id: randomUUID(),
      ws,
      subscriptions,
      openedAt: this.cfg.now(),
      zombie: false,
      draining: false,
    }
    this.connections.set(conn.id, conn)
    this.cfg.stats.connectionsAccepted++
    ws.on('error', () => undefined)
    ws.on('close', () => this.connections.delete(conn.id))
    ws.on('ping', (data) => {
      this.hooks.onWsPing(conn)
      if (!conn.zombie) ws.pong(data)
    })
    ws.on('message', (data) => this.onUpstream(conn, data))
    this.hooks.onConnection(conn)
  }

  // Clients are untrusted: anything that is not a well-formed ack or ping echo is dropped silently.
  private onUpstream(conn: Connection, data: RawData): void {
    if (conn.zombie) return
    const msg = parseJson(rawText(data))
    if (!isRecord(msg) || msg.code !== 200 || !isRecord(msg.headers)) return
    const messageId = msg.headers.messageId
    if (typeof messageId !== 'string') return
    if (this.pendingPings.delete(messageId)) {
      this.cfg.stats.pingsAnswered++
      this.hooks.onPingAnswered(messageId)
      return
    }
    this.cfg.stats.acksReceived++
    this.hooks.onAck(messageId, msg.data)
  }

  /** Sockets in the OPEN state. */
  openCount(): number {
    return [...this.connections.values()].filter((c) => c.ws.readyState === c.ws.OPEN).length
  }

  /** Newest connection that may receive `topic` as a CALLBACK right now. */
  target(topic: string): Connection | undefined {
    const usable = [...this.connections.values()].filter(
      (c) =>
        this.isUsable(c) &&
        c.subscriptions.some((s) => s.type === 'CALLBACK' && (s.topic === topic || s.topic === '*')),
    )
    return usable.at(-1)
  }

  private isUsable(c: Connection): boolean {
    return !c.zombie && !c.draining && c.ws.readyState === c.ws.OPEN
  }

  /** Write one frame (DINGTALK.md §2) to a connection. */
  sendFrame(conn: Connection, type: FrameInfo['type'], topic: string, messageId: string, data: string): void {
    const frame = {
      specVersion: '1.0',
      type,
      headers: {
        topic,
        messageId,
        contentType: 'application/json',
        time: String(this.cfg.now()),
        appId: this.cfg.appId,
        connectionId: conn.id,
      },
      data,
    }
    conn.ws.send(JSON.stringify(frame))
    this.cfg.stats.framesSent++
    this.hooks.onFrameSent({ connectionId: conn.id, type, topic, messageId })
  }

  private live(): Connection[] {
    return [...this.connections.values()].filter((c) => !c.zombie && c.ws.readyState === c.ws.OPEN)
  }

  /** SYSTEM ping to every live connection; the echo is counted in `stats.pingsAnswered`. */
  ping(): void {
    for (const c of this.live()) {
      const messageId = randomUUID()
      this.pendingPings.add(messageId)
      // A client that never echoes must not grow this set forever; the oldest entries go first.
      if (this.pendingPings.size > 1000) this.pendingPings.delete(this.pendingPings.values().next().value as string)
      this.sendFrame(c, 'SYSTEM', 'ping', messageId, JSON.stringify({ opaque: randomUUID() }))
    }
  }

  /** SYSTEM disconnect: delivery on these connections stops now, TCP closes later. */
  disconnect(reason: string): void {
    for (const c of this.live()) {
      this.sendFrame(c, 'SYSTEM', 'disconnect', randomUUID(), JSON.stringify({ reason }))
      c.draining = true
      const t = setTimeout(() => {
        this.timers.delete(t)
        c.ws.close(1000, 'disconnect')
      }, this.cfg.disconnectCloseDelayMs)
      this.timers.add(t)
    }
  }

  /** Raw bytes to every live connection. */
  raw(data: string | Buffer): void {
    for (const c of this.live()) c.ws.send(data)
  }

  /** Mark every open connection as zombie (or revive them); new connections start healthy. */
  setZombie(on: boolean): void {
    for (const c of this.connections.values()) c.zombie = on
  }

  /** Kill every socket without a close frame. */
  drop(): void {
    for (const c of this.connections.values()) c.ws.terminate()
  }

  /** Tear everything down. */
  close(): void {
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    this.drop()
    this.wss.close()
  }
}
