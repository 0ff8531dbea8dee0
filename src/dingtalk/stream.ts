import { EventEmitter } from 'node:events'
import { TOPIC_CARD } from 'dingtalk-stream'
import type { Logger } from 'pino'
import { errorMessage } from '../errors.js'
import { parseFrame, ROBOT_TOPIC, type Frame } from './frames.js'
import { GatewayError, SdkClient } from './sdk-client.js'

// The Stream-mode connection to DingTalk: connect, reconnect with backoff, and hand callbacks over before the ack.

export type StreamState = 'idle' | 'connecting' | 'connected' | 'backoff' | 'stopped'

/**
 * What the router does with a robot callback before the ack: a durable write, answered at once or when the
 * write commits (group commit). `retry-later` leaves the callback un-acked for redelivery.
 */
export type CallbackAcceptor = (frame: {
  messageId: string
  data: string
}) => 'accept' | 'retry-later' | Promise<'accept' | 'retry-later'>

export interface StreamOptions {
  clientId: string
  clientSecret: string
  gatewayUrl: string
  log: Logger
  accept: CallbackAcceptor
  /** Send a ping this often; no frame or pong for two intervals means the socket is dead. */
  livenessIntervalMs: number
  reconnectBaseMs: number
  reconnectMaxMs: number
  connectTimeoutMs?: number
  random?: () => number
  /** Seconds from a robot callback's arrival to its ack. */
  onAck?: (seconds: number) => void
  /** Answers a card button press; what it returns is the ack's response (the card update). Must be quick. */
  onCardCallback?: (data: string) => unknown
}

type CloseReason = 'closed' | 'disconnect-frame' | 'liveness' | 'stopped'

/**
 * One outbound Stream-mode connection, kept alive by our own loop: one attempt at a time, a fresh SDK client
 * per attempt, exponential backoff with full jitter, an immediate reconnect on a `disconnect` frame, and a
 * liveness check. Events: `state` (StreamState), `frame-error` ({ reason }).
 */
export class StreamConnection extends EventEmitter {
  state: StreamState = 'idle'
  connectedSince?: number
  readonly counters = { attempts: 0, connects: 0, framesRejected: 0, callbacks: 0 }
  private client?: SdkClient
  private wake?: () => void
  private loop?: Promise<void>
  private lastSeen = 0

  constructor(private readonly opts: StreamOptions) {
    super()
  }

  /** Starts the connect loop; returns at once. */
  start(): void {
    if (this.loop) return
    this.loop = this.run().catch((err) => this.opts.log.error({ err }, 'stream loop ended unexpectedly'))
  }

  /** Closes the socket and ends the loop. */
  async stop(): Promise<void> {
    this.setState('stopped')
    this.wake?.()
    this.closeClient()
    await this.loop
  }

  private get stopped(): boolean {
    return this.state === 'stopped'
  }

  get connected(): boolean {
    return this.state === 'connected'
  }

  private async run(): Promise<void> {
    let failures = 0
    while (!this.stopped) {
      this.setState('connecting')
      this.counters.attempts++
      let reason: CloseReason = 'closed'
      try {
        const client = await this.open()
        failures = 0
        reason = await this.watch(client)
        if (reason !== 'stopped') this.opts.log.warn({ reason }, 'stream connection ended; reconnecting')
      } catch (err) {
        failures++
        this.logConnectFailure(err, failures)
      }
      this.closeClient()
      if (this.stopped) break
      if (reason === 'disconnect-frame') continue
      this.setState('backoff')
      await this.sleep(this.backoffMs(Math.max(failures, 1)))
    }
    this.setState('stopped')
  }

  private async open(): Promise<SdkClient> {
    const client = new SdkClient({
      clientId: this.opts.clientId,
      clientSecret: this.opts.clientSecret,
      gatewayUrl: this.opts.gatewayUrl,
      onRawFrame: (data) => this.onFrame(client, data),
      log: this.opts.log,
    })
    this.client = client
    await client.getEndpoint()
    if (this.stopped) throw new Error('stopped')
    const timeoutMs = this.opts.connectTimeoutMs ?? 10_000
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`websocket did not open within ${timeoutMs} ms`)), timeoutMs)
    })
    try {
      await Promise.race([client._connect(), timeout])
    } finally {
      clearTimeout(timer)
    }
    this.counters.connects++
    this.connectedSince = Date.now()
    this.lastSeen = Date.now()
    this.setState('connected')
    this.opts.log.info('stream connected')
    return client
  }

  /** Resolves when this connection should be replaced, and why. */
  private watch(client: SdkClient): Promise<CloseReason> {
    const socket = client.socketOrUndefined()
    if (!socket) return Promise.resolve('closed')
    return new Promise<CloseReason>((resolve) => {
      const interval = this.opts.livenessIntervalMs
      const seen = () => {
        this.lastSeen = Date.now()
      }
      const finish = (reason: CloseReason) => {
        clearInterval(timer)
        socket.off('close', onClose)
        socket.off('pong', seen)
        socket.off('message', seen)
        this.off('disconnect-frame', onDisconnect)
        this.wake = undefined
        resolve(reason)
      }
      const onClose = () => finish('closed')
      const onDisconnect = () => finish('disconnect-frame')
      const timer = setInterval(() => {
        if (Date.now() - this.lastSeen > 2 * interval) return finish('liveness')
        try {
          socket.ping()
        } catch {
          finish('closed')
        }
      }, interval)
      socket.on('close', onClose)
      socket.on('pong', seen)
      socket.on('message', seen)
      this.on('disconnect-frame', onDisconnect)
      this.wake = () => finish('stopped')
    })
  }

  private onFrame(client: SdkClient, raw: unknown): void {
    try {
      const parsed = parseFrame(raw)
      if (!parsed.ok) {
        this.counters.framesRejected++
        this.opts.log.warn({ reason: parsed.reason }, 'dropped a malformed frame')
        this.emit('frame-error', { reason: parsed.reason })
        // Ack what we can so a hostile callback is not redelivered forever.
        if (parsed.messageId) client.socketCallBackResponse(parsed.messageId, { status: 'rejected' })
        return
      }
      this.dispatch(client, parsed.frame)
    } catch (err) {
      this.opts.log.error({ err: errorMessage(err) }, 'frame handler failed')
    }
  }

  private dispatch(client: SdkClient, frame: Frame): void {
    const messageId = frame.headers.messageId
    if (frame.type === 'SYSTEM') {
      if (frame.headers.topic === 'disconnect') {
        this.opts.log.warn({ data: frame.data.slice(0, 200) }, 'gateway asked us to reconnect')
        this.emit('disconnect-frame')
        return
      }
      if (frame.headers.topic === 'ping') client.onSystem(frame as never)
      return
    }
    if (frame.type === 'EVENT') {
      if (messageId) client.onEvent(frame as never)
      return
    }
    if (frame.type !== 'CALLBACK' || !messageId) {
      this.counters.framesRejected++
      this.emit('frame-error', { reason: `unhandled frame type ${frame.type.slice(0, 32)}` })
      return
    }
    if (frame.headers.topic === TOPIC_CARD && this.opts.onCardCallback) {
      client.socketCallBackResponse(messageId, this.answerCard(frame.data))
      return
    }
    if (frame.headers.topic !== ROBOT_TOPIC) {
      client.socketCallBackResponse(messageId, { status: 'ignored' })
      return
    }
    this.counters.callbacks++
    const started = performance.now()
    const ack = (verdict: 'accept' | 'retry-later') => {
      if (verdict !== 'accept') return
      // The socket this frame came on may have been replaced while the write committed; the SDK then drops
      // the ack and the gateway redelivers, which the inbox answers as a duplicate.
      client.socketCallBackResponse(messageId, { status: 'accepted' })
      this.opts.onAck?.((performance.now() - started) / 1000)
    }
    const verdict = this.opts.accept({ messageId, data: frame.data })
    if (typeof verdict === 'string') ack(verdict)
    else verdict.then(ack, (err: unknown) => this.opts.log.error({ err: errorMessage(err) }, 'callback handler failed'))
  }

  private answerCard(data: string): unknown {
    try {
      return this.opts.onCardCallback!(data)
    } catch (err) {
      // Still ack: DingTalk would otherwise show the clicker an error and send the press again.
      this.opts.log.error({ err: errorMessage(err) }, 'card callback handler failed')
      return {}
    }
  }

  private closeClient(): void {
    this.client?.flushAcks()
    const socket = this.client?.socketOrUndefined()
    this.client = undefined
    this.connectedSince = undefined
    if (socket) {
      socket.removeAllListeners('message')
      socket.on('error', () => undefined)
      socket.terminate()
    }
  }

  private backoffMs(failures: number): number {
    const ceiling = Math.min(this.opts.reconnectMaxMs, this.opts.reconnectBaseMs * 2 ** Math.min(failures - 1, 20))
    const random = this.opts.random ?? Math.random
    return Math.round(ceiling / 2 + random() * (ceiling / 2))
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        resolve()
      }
      this.wake = done
    })
  }

  private logConnectFailure(err: unknown, failures: number): void {
    const hint =
      err instanceof GatewayError && err.status === 401
        ? 'the gateway rejected the credentials: check DINGTALK_CLIENT_ID / DINGTALK_CLIENT_SECRET'
        : 'will retry with backoff'
    this.opts.log.warn({ err: errorMessage(err), failures }, `stream connect failed; ${hint}`)
  }

  private setState(state: StreamState): void {
    if (this.state === state || (this.state === 'stopped' && state !== 'stopped')) return
    this.state = state
    this.emit('state', state)
  }
}
