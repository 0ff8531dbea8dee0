import type { RouterConfig } from '../config.js'
import type { Logger } from '../logger.js'
import { OPENCLAW_STAND_IN_LABEL, startFakeGateway } from './openclaw-fake.js'

/** The demo route's name: `claw 你好` or `龙虾 你好` in simulator mode. */
const DEMO_ROUTE = 'claw'

/**
 * Simulator mode with no `openclaw.routes`: starts the local stand-in Gateway (trusted-proxy auth, as the
 * README recommends) and wires a demo route for end users to it, through the ordinary skill and egress path.
 * @example Object.assign(simConfig, (await withOpenClawDemo(simConfig, log)).settings)
 */
export async function withOpenClawDemo(
  config: RouterConfig,
  log: Logger,
): Promise<{ settings: Pick<RouterConfig, 'openclaw' | 'egress'>; close(): Promise<void> }> {
  const gateway = await startFakeGateway({ auth: { mode: 'trusted-proxy', userHeader: 'x-forwarded-user' } })
  log.info(
    { gateway: gateway.baseUrl },
    `no openclaw.routes configured: "${DEMO_ROUTE} <text>" talks to a local OpenClaw stand-in, labelled ${OPENCLAW_STAND_IN_LABEL}`,
  )
  const settings: Pick<RouterConfig, 'openclaw' | 'egress'> = {
    openclaw: {
      ...config.openclaw,
      routes: {
        [DEMO_ROUTE]: {
          agentId: 'default',
          baseUrl: gateway.baseUrl,
          description: 'Ask the OpenClaw agent (local stand-in in simulator mode)',
          triggers: [DEMO_ROUTE, '龙虾'],
          access: 'users',
          risk: 'external',
          auth: { mode: 'trusted-proxy', userHeader: 'x-forwarded-user' },
          scopes: ['operator.read', 'operator.write'],
          rawIdentity: false,
          maxCompletionTokens: 800,
          timeoutMs: 30_000,
          stream: true,
        },
      },
    },
    egress: { ...config.egress, allowHttpLoopback: [...config.egress.allowHttpLoopback, gateway.dest] },
  }
  return { settings, close: gateway.close }
}
