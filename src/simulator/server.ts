import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { joinHostPort } from '../egress/destination.js'
import { CARD_TOPIC, type CardPress, SimCards, type SimCard } from './cards.js'
import { Transcript } from './chat/transcript.js'
import { Deliveries } from './deliveries.js'
import { Gateway } from './gateway.js'
import { simRoutes, type Handler, type SentMeta } from './http-api.js'
import { sendApiError } from './http-util.js'
import { handleOpen } from './open-endpoint.js'
import { localRequestRefusal } from '../http/local-request.js'
import { OpenApi } from './openapi.js'
import { SimFiles } from './files.js'
import { buildRobotPayload, lwcpId } from './payload.js'
import { ReplyLog } from './replies.js'
import { TicketStore } from './tickets.js'
import {
  ROBOT_TOPIC,
  resolveOptions,
  type RecordedReply,
  type ReplyFilter,
  type ResolvedOptions,
  type SentMessage,
  type SimMessageInput,
  type SimStats,
  type SimulatorOptions,
} from './types.js'
import { newSessionToken, Webhooks, type WebhookFault } from './webhook.js'

/**
 * A local stand-in for DingTalk: stream gateway, session webhooks and the robot OpenAPI on one port.
 * Emits `'connection'`, `'ack'` ({messageId, at}), `'reply'` (RecordedReply), `'frame-sent'` (FrameInfo),
 * and, for tests, `'ping-answered'` ({messageId}) and `'ws-ping'` ({connectionId, answered}).
 * @example
 * const sim = new DingTalkSimulator(); await sim.start()
 * const { msgId } = sim.sendMessage({ text: 'hi' }); await sim.waitForReply({ msgId })
 */
export class DingTalkSimulator extends EventEmitter {
  readonly clientId: string
  readonly clientSecret: string
  readonly robotCode: string
  readonly chatbotUserId: string
  readonly stats: SimStats = {
    openCalls: 0,
    openRefused: 0,
    connectionsAccepted: 0,
    framesSent: 0,
    acksReceived: 0,
    pingsAnswered: 0,
    tokensIssued: 0,
    tokensRejected: 0,
  }
  private readonly opts: ResolvedOptions
  private readonly log: ReplyLog
  private readonly gateway: Gateway
  private readonly tracker: Deliveries
  private readonly webhooks: Webhooks
  private readonly routes: Record<string, Handler>
  private readonly files: SimFiles
  private readonly openApi: OpenApi
  /** EVENT frames sent and not yet acked, by messageId. */
  private readonly pendingEvents = new Set<string>()
  private readonly sent = new Map<string, SentMeta>()
  /** Cards the bot delivered (createAndDeliver), by outTrackId. */
  readonly cards: SimCards
  private readonly cardClicks = new Map<string, string>()
  /** Both directions of every conversation, for the chat page's `GET /sim/events`. */
  readonly transcript: Transcript
  private server?: Server
  private port = 0
  private refusing = false
  private pingTimer?: NodeJS.Timeout
  private stopped = false

  constructor(options: SimulatorOptions = {}) {
    super()
    const o = (this.opts = resolveOptions(options))
    this.clientId = o.clientId
    this.clientSecret = o.clientSecret
    this.robotCode = o.robotCode
    this.chatbotUserId = lwcpId('bot-' + o.robotCode)
    const transcript = (this.transcript = new Transcript(o.now))
    this.log = new ReplyLog(
      o.now,
      (r) => {
        transcript.reply(r)
        this.emit('reply', r)
      },
      o.recordReplies,
    )
    const tickets = new TicketStore(o.ticketTtlMs, o.now)
    this.gateway = new Gateway(
      { appId: o.clientId, now: o.now, tickets, stats: this.stats, disconnectCloseDelayMs: o.disconnectCloseDelayMs },
      {
        onConnection: (c) => {
          this.emit('connection', { connectionId: c.id })
          this.tracker.flush()
        },
        onAck: (messageId, data) => {
          const outTrackId = this.cardClicks.get(messageId)
          if (outTrackId !== undefined) {
            this.cardClicks.delete(messageId)
            const update = this.cards.applyAnswer(outTrackId, data)
            this.emit('card-answer', { messageId, outTrackId, update })
            return
          }
          if (this.tracker.ack(messageId)) this.emit('ack', { messageId, at: this.tracker.ackedAt(messageId) })
          else if (this.pendingEvents.delete(messageId)) this.emit('event-ack', { messageId })
        },
        onFrameSent: (info) => this.emit('frame-sent', info),
        onPingAnswered: (messageId) => this.emit('ping-answered', { messageId }),
        onWsPing: (c) => this.emit('ws-ping', { connectionId: c.id, answered: !c.zombie }),
      },
    )
    this.tracker = new Deliveries({
      ...o,
      target: () => this.gateway.target(ROBOT_TOPIC),
      send: (conn, messageId, data) => this.gateway.sendFrame(conn, 'CALLBACK', ROBOT_TOPIC, messageId, data),
    })
    this.webhooks = new Webhooks(o.now, this.log)
    this.files = new SimFiles(o.now)
    const openApi = (this.openApi = new OpenApi(
      { ...o, stats: this.stats, files: this.files, baseUrl: () => this.baseUrl },
      this.log,
    ))
    this.cards = new SimCards({
      templates: o.cardTemplates,
      robotCode: o.robotCode,
      authorized: (req) => openApi.authorized(req),
      onChange: (card, change) => {
        const { outTrackId, kind, conversationId, staffId, params, buttons, finalized } = card
        transcript.card({
          change,
          outTrackId,
          kind,
          conversationId,
          staffId,
          params: { ...params },
          buttons,
          finalized,
        })
        this.emit('card', { card, change })
      },
    })
    this.routes = {
      'POST /v1.0/gateway/connections/open': (req, res) =>
        handleOpen(
          {
            ...o,
            tickets,
            stats: this.stats,
            refusing: () => this.refusing,
            endpoint: () => `ws://${this.webhookHost}/connect`,
          },
          req,
          res,
        ),
      'POST /v1.0/oauth2/accessToken': (req, res) => openApi.handleToken(req, res),
      'POST /v1.0/robot/groupMessages/send': (req, res) => openApi.handleGroup(req, res),
      'POST /v1.0/robot/oToMessages/batchSend': (req, res) => openApi.handleOto(req, res),
      'POST /v1.0/robot/messageFiles/download': (req, res) => openApi.handleDownload(req, res),
      'GET /sim/files': (req, res) => this.files.handle(req, res),
      'POST /robot/sendBySession': (req, res) => this.webhooks.handle(req, res),
      'POST /v1.0/card/instances/createAndDeliver': (req, res) => this.cards.handleCreate(req, res),
      'PUT /v1.0/card/instances': (req, res) => this.cards.handleUpdate(req, res),
      'PUT /v1.0/card/streaming': (req, res) => this.cards.handleStreaming(req, res),
      ...simRoutes({
        sendMessage: (i) => this.sendMessage(i),
        meta: (id) => this.sent.get(id),
        log: this.log,
        state: () => this.state(),
        transcript,
        pressCardButton: (i) => this.pressCardButton(i),
      }),
    }
  }

  /** Listen; the port is known afterwards. A stopped simulator cannot be started again: make a new one. */
  async start(): Promise<void> {
    if (this.stopped) throw new Error('DingTalkSimulator: stopped; create a new instance')
    if (this.server) return
    const server = createServer((req, res) => this.route(req, res))
    server.on('upgrade', (req, socket, head) => this.gateway.handleUpgrade(req, socket, head))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.opts.port, this.opts.host, () => resolve())
    })
    this.server = server
    this.port = (server.address() as AddressInfo).port
    if (this.opts.pingIntervalMs > 0)
      this.pingTimer = setInterval(() => this.gateway.ping(), this.opts.pingIntervalMs).unref()
  }

  /** Close every socket and the server; pending waiters reject. Idempotent. */
  async stop(): Promise<void> {
    const server = this.server
    this.stopped = true
    if (!server) return
    this.server = undefined
    clearInterval(this.pingTimer)
    this.tracker.close()
    this.log.close()
    this.gateway.close()
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://sim').pathname
    const handler = this.routes[`${req.method ?? 'GET'} ${path}`]
    req.on('error', () => undefined)
    if (!handler) {
      sendApiError(res, 404, 'notFound', `no route ${req.method} ${path}`)
      return
    }
    // The control API speaks as anyone, operators included: loopback Host, and for posts same-origin JSON,
    // exactly as the chat page server checks (a cross-site text/plain post or a rebinding page gets nothing).
    // The DingTalk stand-in routes keep DingTalk's own rules: the router reaches them through proxies in tests.
    const refusal = path.startsWith('/sim/') ? localRequestRefusal(req, this.port) : undefined
    if (refusal) {
      sendApiError(res, 403, 'forbidden', refusal)
      return
    }
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((err: unknown) =>
        sendApiError(res, 500, 'simulatorError', err instanceof Error ? err.message : String(err)),
      )
  }

  /** `http://127.0.0.1:<port>`; valid from start() on (and still readable after stop()). */
  get baseUrl(): string {
    return `http://${this.webhookHost}`
  }

  /** Where connections/open is: `baseUrl + '/v1.0/gateway/connections/open'`. */
  get gatewayUrl(): string {
    return this.baseUrl + '/v1.0/gateway/connections/open'
  }

  /** Base of the OpenAPI (token, group and one-to-one sends); same as baseUrl. */
  get apiBase(): string {
    return this.baseUrl
  }

  /** `127.0.0.1:<port>`: the host to allowlist for session webhooks in simulator mode. */
  get webhookHost(): string {
    if (this.port === 0) throw new Error('DingTalkSimulator: call start() first')
    return joinHostPort(this.opts.host, this.port)
  }

  /** Build a robot message (DINGTALK.md §4) and deliver it as a CALLBACK, queued while no connection can take it. */
  sendMessage(input: SimMessageInput): SentMessage {
    const token = newSessionToken()
    const sessionWebhook = `${this.baseUrl}/robot/sendBySession?session=${token}`
    const built = buildRobotPayload(input, {
      ...this.opts,
      now: this.opts.now(),
      chatbotUserId: this.chatbotUserId,
      sessionWebhook,
    })
    for (const f of built.files) this.files.put(f.downloadCode, f.bytes, f.contentType)
    this.webhooks.open(token, built.msgId, built.conversationId, built.expiredTime)
    const { conversationId, conversationType, senderStaffId } = built
    const p = built.payload
    this.transcript.message({
      msgId: built.msgId,
      conversationId,
      conversationType,
      senderStaffId,
      senderNick: printable(p.senderNick),
      msgtype: printable(p.msgtype),
      text: input.text ?? segmentText(input),
    })
    this.sent.set(built.msgId, {
      conversationId,
      conversationType,
      senderStaffId,
      afterSeq: this.log.replies.at(-1)?.seq ?? 0,
    })
    const messageId = randomUUID()
    this.tracker.submit(built.msgId, messageId, JSON.stringify(built.payload))
    return { msgId: built.msgId, messageId, payload: built.payload, sessionWebhook }
  }

  /**
   * Delivers `payload` verbatim as a robot CALLBACK (a published DingTalk payload, a hostile one), with only
   * its `sessionWebhook` pointed at a fresh simulator session. Nothing is added or checked.
   */
  sendPayload(payload: Record<string, unknown>): SentMessage {
    const token = newSessionToken()
    const sessionWebhook = `${this.baseUrl}/robot/sendBySession?session=${token}`
    const data = { ...payload, sessionWebhook }
    const msgId = typeof payload.msgId === 'string' && payload.msgId !== '' ? payload.msgId : `raw-${token}`
    const conversationId = typeof payload.conversationId === 'string' ? payload.conversationId : 'unknown'
    const expiredTime = this.opts.now() + this.opts.sessionTtlMs
    this.webhooks.open(token, msgId, conversationId, expiredTime)
    const messageId = randomUUID()
    this.tracker.submit(msgId, messageId, JSON.stringify(data))
    return { msgId, messageId, payload: data, sessionWebhook }
  }

  /** Makes `downloadCode` downloadable through the message-file API (for payloads sent with sendPayload). */
  putFile(downloadCode: string, bytes: string | Buffer, contentType = 'application/octet-stream'): void {
    this.files.put(downloadCode, Buffer.from(bytes), contentType)
  }

  /**
   * An EVENT frame (an org event) to every connection subscribed to `topic` or `*`; the SDK acks it
   * itself, which the simulator emits as `'event-ack'` ({messageId}). Returns the frame's messageId.
   */
  sendEvent(topic: string, data: Record<string, unknown>): string {
    const messageId = randomUUID()
    for (const conn of this.gateway.connections.values()) {
      if (conn.zombie || conn.draining || conn.ws.readyState !== conn.ws.OPEN) continue
      if (!conn.subscriptions.some((s) => s.type === 'EVENT' && (s.topic === topic || s.topic === '*'))) continue
      this.pendingEvents.add(messageId)
      this.gateway.sendFrame(conn, 'EVENT', topic, messageId, JSON.stringify(data))
    }
    return messageId
  }

  /** Every access token issued so far stops working: the next OpenAPI call gets 400 InvalidAuthentication. */
  revokeTokens(): void {
    this.openApi.revokeTokens()
  }

  /** The next `times` one-to-one sends to `staffId` are flow-controlled (200, staffId in flowControlledStaffIdList). */
  flowControlNext(staffId: string, times = 1): void {
    this.openApi.flowControlNext(staffId, times)
  }

  /** One-to-one sends to these staffIds answer 200 with them in invalidStaffIdList. */
  setInvalidStaffIds(staffIds: string[]): void {
    this.openApi.setInvalidStaffIds(staffIds)
  }

  /**
   * What DingTalk does when `staffId` presses a card button: a CALLBACK on the card topic carrying the
   * button's params from the card's variables (`params` overrides them, to test tampering) and the presser's
   * `corpId` (another org's, or `null` for none). The bot's ack answer is applied to the card;
   * `'card-answer'` reports it. Throws when no connection subscribed to cards.
   */
  pressCardButton(input: CardPress): { messageId: string } {
    const data = this.cards.callbackData(input)
    const conn = this.gateway.target(CARD_TOPIC)
    if (!conn) throw new Error(`no stream connection subscribed to ${CARD_TOPIC}`)
    const messageId = randomUUID()
    this.cardClicks.set(messageId, input.outTrackId)
    this.gateway.sendFrame(conn, 'CALLBACK', CARD_TOPIC, messageId, data)
    return { messageId }
  }

  /** The first card (already delivered or still to come) that passes `predicate`, each time it changes. */
  waitForCard(predicate: (card: SimCard) => boolean, timeoutMs = 10_000): Promise<SimCard> {
    const existing = [...this.cards.cards.values()].find(predicate)
    if (existing) return Promise.resolve(existing)
    return new Promise((resolve, reject) => {
      const onCard = ({ card }: { card: SimCard }): void => {
        if (!predicate(card)) return
        clearTimeout(timer)
        this.off('card', onCard)
        resolve(card)
      }
      const timer = setTimeout(() => {
        this.off('card', onCard)
        reject(new Error(`waitForCard: no matching card within ${timeoutMs} ms`))
      }, timeoutMs)
      this.on('card', onCard)
    })
  }

  /** First recorded reply matching `filter` (already recorded ones count); rejects after `timeoutMs`. */
  waitForReply(filter: ReplyFilter, timeoutMs = 10_000): Promise<RecordedReply> {
    return this.log.waitFor(filter, timeoutMs)
  }

  /** Every recorded reply, oldest first (a live array). */
  get replies(): RecordedReply[] {
    return this.log.replies
  }

  /** Whether the CALLBACK with this frame messageId was acked (on any connection). */
  isAcked(messageId: string): boolean {
    return this.tracker.ackedAt(messageId) !== undefined
  }

  /** When the first ack for this frame messageId came, by the simulator's clock. */
  ackedAt(messageId: string): number | undefined {
    return this.tracker.ackedAt(messageId)
  }

  /** How many times the frame for that inbound msgId was written to a socket. */
  deliveries(msgId: string): number {
    return this.tracker.sends(msgId)
  }

  /** Sockets currently open (zombie and draining ones included). */
  get connectionCount(): number {
    return this.gateway.openCount()
  }

  /** Resolves once at least one socket is open. */
  waitForConnection(timeoutMs = 10_000): Promise<void> {
    if (this.connectionCount > 0) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const onConnection = (): void => {
        clearTimeout(timer)
        resolve()
      }
      const timer = setTimeout(() => {
        this.off('connection', onConnection)
        reject(
          new Error(
            `waitForConnection: no stream connection within ${timeoutMs} ms (openCalls=${this.stats.openCalls})`,
          ),
        )
      }, timeoutMs)
      this.once('connection', onConnection)
    })
  }

  /** Terminate every socket abruptly, without a close frame. */
  dropConnections(): void {
    this.gateway.drop()
  }

  /** SYSTEM disconnect to every socket: delivery on them stops now, TCP closes `disconnectCloseDelayMs` later. */
  sendDisconnect(reason = 'simulated disconnect'): void {
    this.gateway.disconnect(reason)
  }

  /** SYSTEM ping `{"opaque"}` to every socket; echoes count in `stats.pingsAnswered`. */
  sendPing(): void {
    this.gateway.ping()
  }

  /** Raw bytes to every open socket, for hostile-frame tests. */
  sendRaw(data: string | Buffer): void {
    this.gateway.raw(data)
  }

  /** While on, connections/open answers 503 serviceUnavailable. */
  setRefuseConnections(on: boolean): void {
    this.refusing = on
  }

  /** Turn the currently open sockets into zombies (silent, no pongs) or revive them; new sockets start healthy. */
  setZombie(on: boolean): void {
    this.gateway.setZombie(on)
    if (!on) this.tracker.flush()
  }

  /**
   * Session webhook POSTs for which `fault` returns a status are answered with it and not recorded (a
   * failing DingTalk edge); `undefined` turns fault injection off.
   * @example sim.setWebhookFault((msgId) => (msgId === victim ? 503 : undefined))
   */
  setWebhookFault(fault: WebhookFault | undefined): void {
    this.webhooks.fault = fault
  }

  /** That message's session webhook answers errcode 300001 from now on. */
  expireSession(msgId: string): void {
    this.webhooks.expire(msgId)
  }

  /** Snapshot for `GET /sim/state`. */
  state(): Record<string, unknown> {
    const sockets = [...this.gateway.connections.values()].map((c) => ({
      connectionId: c.id,
      openedAt: c.openedAt,
      zombie: c.zombie,
      draining: c.draining,
      subscriptions: c.subscriptions,
    }))
    return { connections: this.connectionCount, queued: this.tracker.queued, stats: { ...this.stats }, sockets }
  }
}

/** What a richText message shows in the transcript: its text segments, a marker per picture. */
function segmentText(input: SimMessageInput): string {
  return (input.segments ?? []).map((s) => ('text' in s ? s.text : '[picture]')).join('')
}

// `extra` may put any value in these fields (hostile-input tests); String() throws on a null-prototype object.
function printable(value: unknown): string {
  try {
    return String(value)
  } catch {
    return Object.prototype.toString.call(value)
  }
}
