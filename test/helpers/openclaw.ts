/**
 * Set-up for the OpenClaw route tests: the real router against the simulator, its config read from a YAML file the way ROUTER_CONFIG is, and the stand-in Gateway on loopback.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { startFakeGateway, type FakeGateway, type FakeGatewayOptions } from '../../src/simulator/openclaw-fake.js'
import { startTestRouter, TEST_SECRETS, type TestRouter, type TestRouterOptions } from './router.js'
import { tempDir } from './temp-dir.js'

/** The shared gateway token of these tests; in TEST_SECRETS, so the suite-wide log scan looks for it too. */
export const GATEWAY_TOKEN = TEST_SECRETS.openclawGatewayToken

/** The end user and conversations the tests talk from. */
export const USER = { staffId: 'user1', nick: '张三' }
export const CHAT_A = 'cid-chat-a'
export const CHAT_B = 'cid-chat-b'

/**
 * Writes `openclaw` (and any other top-level settings) to a YAML file in `dir` and returns its path.
 * @example const file = writeConfig(dir, { openclaw: { routes: { claw: { baseUrl, agentId: 'ops' } } } })
 */
export function writeConfig(dir: string, settings: Record<string, unknown>): string {
  const file = join(dir, 'router.yaml')
  writeFileSync(file, stringify(settings), { mode: 0o600 })
  return file
}

export interface OpenClawRouterOptions extends TestRouterOptions {
  /** `openclaw.routes` as in the YAML file; every baseUrl defaults to the gateway's. */
  routes: Record<string, Record<string, unknown>>
  /** Other top-level YAML settings (egress, budgets …). */
  yaml?: Record<string, unknown>
}

/**
 * A test router with the given routes pointed at `gateway` (allowlisted as a loopback destination) and
 * the token in OPENCLAW_GATEWAY_TOKEN, as in production.
 * @example r = await startOpenClawRouter(gw, { routes: { claw: { agentId: 'ops' } } })
 */
export async function startOpenClawRouter(gateway: FakeGateway, o: OpenClawRouterOptions): Promise<TestRouter> {
  const dir = o.dir ?? tempDir('openclaw-test-')
  const routes = Object.fromEntries(
    Object.entries(o.routes).map(([name, r]) => [name, { baseUrl: gateway.baseUrl, ...r }]),
  )
  const egress = { allowHttpLoopback: [gateway.dest], ...(o.yaml?.egress as object | undefined) }
  const file = writeConfig(dir, { ...o.yaml, egress, openclaw: { routes } })
  return startTestRouter({
    ...o,
    dir,
    env: { ROUTER_CONFIG: file, OPENCLAW_GATEWAY_TOKEN: GATEWAY_TOKEN, ...o.env },
  })
}

/** The stand-in Gateway as the README's trusted-proxy setup configures it. */
export function trustedProxyGateway(extra: Partial<FakeGatewayOptions> = {}): Promise<FakeGateway> {
  return startFakeGateway({ auth: { mode: 'trusted-proxy', userHeader: 'x-forwarded-user' }, ...extra })
}

/** An end user's message in a one-to-one chat (or the given conversation). */
export function fromUser(text: string, conversationId = CHAT_A) {
  return { text, senderStaffId: USER.staffId, senderNick: USER.nick, conversationId }
}
