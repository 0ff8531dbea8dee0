import { DWClient } from 'dingtalk-stream'
import WebSocket from 'ws'
import { errorMessage } from '../errors.js'
import type { Logger } from '../logger.js'

/** The SDK's private connection fields, which its socket handling reads and writes. */
interface SdkFields {
  socket?: WebSocket
  dw_url?: string
  userDisconnect: boolean
  sslopts: WebSocket.ClientOptions
}

/**
 * The dingtalk-stream client without its console prints. The SDK writes `connect success`, `Disconnecting.`
 * and raw socket errors with console.info/warn whatever its `debug` option says, which puts stray text
 * between the router's JSON log lines (and in the test output). With keep-alive and auto-reconnect off, as
 * the router and the tests run it, its socket handling is only what is below, so this opens and closes the
 * socket itself and reports to `log`. With either on, the SDK's own code runs.
 */
export class QuietDWClient extends DWClient {
  constructor(
    opts: { clientId: string; clientSecret: string; keepAlive?: boolean },
    private readonly log?: Pick<Logger, 'debug' | 'warn'>,
  ) {
    super(opts)
  }

  /** With the SDK's `debug` option on, its debug lines go to the logger's debug level instead of the console. */
  override printDebug(msg: object | string): void {
    if (this.debug)
      this.log?.debug({ sdk: typeof msg === 'string' ? msg : JSON.stringify(msg).slice(0, 500) }, 'dingtalk-stream')
  }

  override _connect(): Promise<void> {
    if (this.config.keepAlive || this.config.autoReconnect) return super._connect()
    const fields = this.sdkFields()
    return new Promise((resolve, reject) => {
      fields.userDisconnect = false
      let socket: WebSocket
      try {
        socket = new WebSocket(fields.dw_url ?? '', fields.sslopts)
      } catch (err) {
        this.log?.warn({ err: errorMessage(err) }, 'stream socket could not be made')
        reject(err)
        return
      }
      fields.socket = socket
      socket.on('open', () => {
        this.connected = true
        this.log?.debug('stream socket open')
        resolve()
      })
      socket.on('message', (data) => this.onDownStream(data as unknown as string))
      socket.on('close', () => {
        this.connected = false
        this.registered = false
      })
      socket.on('error', (err) => {
        this.log?.warn({ err: errorMessage(err) }, 'stream socket error')
        socket.terminate()
        reject(err)
      })
    })
  }

  override disconnect(): void {
    if (this.config.keepAlive) {
      super.disconnect()
      return
    }
    const fields = this.sdkFields()
    fields.userDisconnect = true
    this.log?.debug('stream socket closing')
    fields.socket?.close()
  }

  // The SDK keeps its socket and connect URL in private fields; this and SdkClient are the places that reach in.
  protected sdkFields(): SdkFields {
    return this as unknown as SdkFields
  }
}
