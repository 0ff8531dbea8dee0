import { TOPIC_CARD } from 'dingtalk-stream'
import type WebSocket from 'ws'
import type { Logger } from '../logger.js'
import { ROBOT_TOPIC } from './frames.js'
import { QuietDWClient } from './quiet-client.js'

/** Why the gateway would not hand out a ticket; `status` 401 means the credentials are wrong. */
export class GatewayError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message)
    this.name = 'GatewayError'
  }
}

export interface SdkClientOptions {
  clientId: string
  clientSecret: string
  gatewayUrl: string
  /** Receives every raw downstream frame instead of the SDK's own parser, which throws on bad input. */
  onRawFrame: (data: unknown) => void
  requestTimeoutMs?: number
  /** Where the SDK's own messages go (connect, close, socket errors) instead of the console. */
  log?: Pick<Logger, 'debug' | 'warn'>
}

/** What ws's underlying net.Socket offers for batching writes. */
interface Corkable {
  cork(): void
  uncork(): void
}

/**
 * The dingtalk-stream client, with its defects contained: registration goes to a configurable gateway,
 * each instance has its own subscriptions, the SDK never reconnects by itself, and frames reach our own
 * validating handler instead of the SDK's `JSON.parse`, and nothing is printed to the console (QuietDWClient).
 */
export class SdkClient extends QuietDWClient {
  private readonly gatewayUrl: string
  private readonly onRawFrame: (data: unknown) => void
  private readonly requestTimeoutMs: number

  constructor(opts: SdkClientOptions) {
    super({ clientId: opts.clientId, clientSecret: opts.clientSecret, keepAlive: false }, opts.log)
    this.gatewayUrl = opts.gatewayUrl
    this.onRawFrame = opts.onRawFrame
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 10_000
    // The SDK's default subscriptions array is shared by every instance; give this one its own.
    this.config.subscriptions = [
      { type: 'EVENT', topic: '*' },
      { type: 'CALLBACK', topic: ROBOT_TOPIC },
      // Button presses on the router's interactive cards (approval cards).
      { type: 'CALLBACK', topic: TOPIC_CARD },
    ]
    this.config.autoReconnect = false
  }

  override async getEndpoint(): Promise<this> {
    const res = await fetch(this.gatewayUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({
        clientId: this.config.clientId,
        clientSecret: this.config.clientSecret,
        ua: 'dingtalk-ops-router',
        subscriptions: this.config.subscriptions,
      }),
      signal: AbortSignal.timeout(this.requestTimeoutMs),
    })
    const body = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined
    if (!res.ok) {
      const code = typeof body?.code === 'string' ? body.code : `HTTP ${res.status}`
      throw new GatewayError(`gateway refused registration: ${code}`, res.status)
    }
    const endpoint = body?.endpoint
    const ticket = body?.ticket
    if (typeof endpoint !== 'string' || typeof ticket !== 'string' || !/^wss?:\/\//.test(endpoint)) {
      throw new GatewayError('gateway answered without a usable endpoint and ticket', res.status)
    }
    this.setConnectUrl(`${endpoint}?ticket=${encodeURIComponent(ticket)}`)
    return this
  }

  override onDownStream(data: string): void {
    this.onRawFrame(data)
  }

  /**
   * Acks written in one run of callbacks leave in one write: the first corks the TCP socket under the
   * WebSocket, and it is uncorked on the next tick, once the promise callbacks queued with it have run. A
   * group commit resolves the acks of every frame it stored together, so under a burst this is one syscall
   * (and one packet to read) for dozens of acks instead of one each: about 13 % of the router's CPU per
   * message in the bench's burst.
   */
  override socketCallBackResponse(messageId: string, result: unknown): void {
    this.corkUntilNextTick()
    super.socketCallBackResponse(messageId, result)
  }

  /** Writes out acks still held by the cork now: before the socket is torn down, which would drop them. */
  flushAcks(): void {
    this.uncork?.()
  }

  /** Set while the socket is corked: writes out what the cork holds. */
  private uncork?: () => void

  private corkUntilNextTick(): void {
    if (this.uncork) return
    // ws keeps its net.Socket in `_socket` (undocumented but stable); without one, acks go out one by one.
    const raw = (this.socketOrUndefined() as unknown as { _socket?: Partial<Corkable> } | undefined)?._socket
    if (typeof raw?.cork !== 'function' || typeof raw.uncork !== 'function') return
    const socket = raw as Corkable
    socket.cork()
    const uncork = () => {
      if (this.uncork !== uncork) return
      this.uncork = undefined
      socket.uncork()
    }
    this.uncork = uncork
    process.nextTick(uncork)
  }

  /** The open socket, for liveness pings and close detection. */
  socketOrUndefined(): WebSocket | undefined {
    return this.sdkFields().socket
  }

  private setConnectUrl(url: string): void {
    this.sdkFields().dw_url = url
  }
}
