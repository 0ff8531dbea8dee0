import { writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import type { RouterConfig } from './config.js'
import type { Logger } from './logger.js'
import { DingTalkSimulator } from './simulator/index.js'

/** The people a newcomer can be in simulator mode. */
export const SIM_PEOPLE = {
  user: 'user1',
  operatorOne: 'op1',
  operatorTwo: 'op2',
  stranger: 'stranger',
  opsGroup: 'cid-ops',
} as const

/**
 * Starts the built-in DingTalk simulator and points the config at it. Operators and the admin group get
 * demo defaults only when none are configured, so a newcomer can try every command at once.
 */
export async function startSimulatorMode(config: RouterConfig, log: Logger): Promise<{ config: RouterConfig; simulator: DingTalkSimulator }> {
  const simulator = new DingTalkSimulator({ port: config.simulator.port, pingIntervalMs: 30_000 })
  await simulator.start()
  const simConfig: RouterConfig = {
    ...config,
    dingtalk: {
      ...config.dingtalk,
      clientId: simulator.clientId,
      clientSecret: simulator.clientSecret,
      robotCode: simulator.robotCode,
      gatewayUrl: simulator.gatewayUrl,
      apiBase: simulator.apiBase,
      webhookHosts: [simulator.webhookHost],
    },
    operators: config.operators.length > 0 ? config.operators : [
      { staffId: SIM_PEOPLE.operatorOne, name: 'operator-one' },
      { staffId: SIM_PEOPLE.operatorTwo, name: 'operator-two' },
    ],
    adminConversations: config.adminConversations.length > 0 ? config.adminConversations : [SIM_PEOPLE.opsGroup],
  }
  const infoFile = join(dirname(resolve(config.db)), 'simulator.json')
  writeFileSync(infoFile, JSON.stringify({ baseUrl: simulator.baseUrl }, null, 2) + '\n')
  log.info(
    { simulator: simulator.baseUrl, operators: simConfig.operators.map((o) => o.staffId), adminConversation: simConfig.adminConversations[0] },
    `SIMULATOR MODE (no DINGTALK_CLIENT_ID/SECRET set): talk to the bot with: npm run say -- "ping"   ` +
      `or as an operator in the ops group: npm run say -- --as ${SIM_PEOPLE.operatorOne} --group ${SIM_PEOPLE.opsGroup} "/status"`,
  )
  return { config: simConfig, simulator }
}
