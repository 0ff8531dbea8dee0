import { DWClient, TOPIC_ROBOT } from 'dingtalk-stream'
import type { Socket } from 'node:net'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { SdkClient } from '../../../src/dingtalk/sdk-client.js'
import type { DingTalkSimulator } from '../../../src/simulator/index.js'
import { Cleanup } from '../../helpers/cleanup.js'
import { captureLogs } from '../../helpers/log-capture.js'
import { startTestRouter, TEST_SECRETS, startSimulator } from '../../helpers/router.js'
import { waitForEvent } from '../../helpers/waits.js'
import { useSimulatorEndpoint } from '../../helpers/sdk-bot.js'
import { PATIENCE } from '../../helpers/patience.js'

// The dingtalk-stream SDK prints `connect success` and `Disconnecting.` to the console whatever its debug
// option says. The router's logs are JSON lines on stdout, so a connect must print nothing: what the SDK
// would say goes to the router's logger.

const CONSOLE = ['log', 'info', 'warn', 'error', 'debug'] as const

/** Every console call and every raw stdout write while a test runs. */
function watchConsole() {
  const printed: string[] = []
  for (const method of CONSOLE)
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(' ')))
  // Swallowed while watched: a test that sees a line fails anyway, and says which.
  vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array) => {
    printed.push(String(chunk))
    return true
  }) as typeof process.stdout.write)
  return printed
}

/** The SDK exactly as published, pointed at the simulator's gateway: the control that shows what it prints. */
class PlainSdkClient extends DWClient {
  constructor(private readonly gatewayUrl: string) {
    super({ clientId: TEST_SECRETS.clientId, clientSecret: TEST_SECRETS.clientSecret })
    this.config.autoReconnect = false
    this.config.subscriptions = [{ type: 'CALLBACK', topic: TOPIC_ROBOT }]
  }

  override async getEndpoint(): Promise<this> {
    await useSimulatorEndpoint(this, this.gatewayUrl)
    return this
  }
}

const cleanup = new Cleanup()
let sim: DingTalkSimulator
beforeEach(async () => {
  sim = await startSimulator(cleanup)
})
afterEach(async () => {
  vi.restoreAllMocks()
  await cleanup.run()
})

describe('the SDK client prints nothing', () => {
  it('the published SDK does print on connect and disconnect (what the router must not do)', async () => {
    const printed = watchConsole()
    const client = new PlainSdkClient(sim.gatewayUrl)
    await client.getEndpoint()
    await client._connect()
    client.disconnect()
    vi.restoreAllMocks()
    expect(printed.join('\n')).toMatch(/connect success/)
    expect(printed.join('\n')).toMatch(/Disconnecting\./)
  })

  it('SdkClient connects and disconnects without a console line, and tells its logger instead', async () => {
    const logs = captureLogs()
    const printed = watchConsole()
    const client = new SdkClient({
      clientId: TEST_SECRETS.clientId,
      clientSecret: TEST_SECRETS.clientSecret,
      gatewayUrl: sim.gatewayUrl,
      onRawFrame: () => undefined,
      log: logs.handle.logger,
    })
    await client.getEndpoint()
    await client._connect()
    expect(client.connected).toBe(true)
    const socket = client.socketOrUndefined()!
    client.disconnect()
    await waitForEvent(
      socket,
      'close',
      () => socket.readyState === socket.CLOSED,
      PATIENCE,
      () => 'socket open',
    )
    vi.restoreAllMocks()
    expect(printed).toEqual([])
    expect(client.connected).toBe(false)
    expect(logs.records().map((r) => r.msg)).toEqual(['stream socket open', 'stream socket closing'])
  })

  it('a whole router connecting, answering and stopping writes no console line', async () => {
    const printed = watchConsole()
    const r = await cleanup.router(startTestRouter({ sim }))
    expect((await r.say('ping')).text).toBe('pong')
    await r.stop()
    vi.restoreAllMocks()
    expect(printed).toEqual([])
  })
})

describe('acks', () => {
  async function connectedClient() {
    const client = new SdkClient({
      clientId: TEST_SECRETS.clientId,
      clientSecret: TEST_SECRETS.clientSecret,
      gatewayUrl: sim.gatewayUrl,
      onRawFrame: () => undefined,
    })
    await client.getEndpoint()
    await client._connect()
    const raw = (client.socketOrUndefined() as unknown as { _socket: Socket })._socket
    return { client, batched: vi.spyOn(raw, '_writev'), single: vi.spyOn(raw, '_write') }
  }

  it('the acks a commit resolves together leave the TCP socket in one write', async () => {
    const { client, batched, single } = await connectedClient()
    // As the group commit does: one promise per stored frame, resolved in one go, each acking when it settles.
    const resolvers: (() => void)[] = []
    for (const messageId of ['m-1', 'm-2', 'm-3'])
      void new Promise<void>((resolve) => resolvers.push(resolve)).then(() =>
        client.socketCallBackResponse(messageId, { status: 'accepted' }),
      )
    for (const resolve of resolvers) resolve()
    await new Promise((resolve) => setImmediate(resolve))
    expect(batched).toHaveBeenCalledTimes(1)
    expect(single).not.toHaveBeenCalled()
    // The next run's acks are corked on their own: nothing is held back past its tick.
    client.socketCallBackResponse('m-4', { status: 'accepted' })
    await new Promise((resolve) => setImmediate(resolve))
    expect(batched.mock.calls.length + single.mock.calls.length).toBe(2)
    client.disconnect()
  })

  it('flushAcks writes what the cork holds at once, before a socket is torn down', async () => {
    const { client, batched, single } = await connectedClient()
    client.socketCallBackResponse('m-1', { status: 'accepted' })
    client.socketCallBackResponse('m-2', { status: 'accepted' })
    expect(batched.mock.calls.length + single.mock.calls.length).toBe(0) // held by the cork
    client.flushAcks()
    expect(batched).toHaveBeenCalledTimes(1)
    await new Promise((resolve) => setImmediate(resolve))
    expect(batched.mock.calls.length + single.mock.calls.length).toBe(1) // the tick's uncork is a no-op now
    client.disconnect()
  })
})
