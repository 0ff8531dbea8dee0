import { writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import type { RouterConfig } from './config.js'
import type { Logger } from './logger.js'
import { ensurePrivateDir } from './store/private-files.js'
import { startChatPage, type ChatGroup, type ChatPage, type ChatPerson } from './simulator/chat/page-server.js'
import { DingTalkSimulator } from './simulator/index.js'
import { SIM_CORP_ID } from './simulator/payload.js'
import { STAND_IN_LABEL, startStandInModel } from './simulator/stand-in-model.js'
import { withOpenClawDemo } from './simulator/openclaw-demo.js'

/** The people a newcomer can be in simulator mode. */
export const SIM_PEOPLE = {
  user: 'user1',
  operatorOne: 'op1',
  operatorTwo: 'op2',
  stranger: 'stranger',
  opsGroup: 'cid-ops',
} as const

/**
 * Who the chat page lets you be, and where: the demo user, the first two configured operators, a stranger,
 * and the first admin conversation as the ops group.
 * @example
 * chatDirectory(config).people.map((p) => p.staffId) // ['user1', 'op1', 'op2', 'stranger']
 */
export function chatDirectory(config: Pick<RouterConfig, 'operators' | 'adminConversations'>): {
  people: ChatPerson[]
  groups: ChatGroup[]
} {
  const [one, two] = config.operators
  const people: ChatPerson[] = [
    { key: 'user', staffId: SIM_PEOPLE.user, nick: '张三', label: 'End user', role: 'user' },
    {
      key: 'op1',
      staffId: one?.staffId ?? SIM_PEOPLE.operatorOne,
      nick: one?.name ?? 'operator-one',
      label: 'Operator one',
      role: 'operator',
    },
    {
      key: 'op2',
      staffId: two?.staffId ?? SIM_PEOPLE.operatorTwo,
      nick: two?.name ?? 'operator-two',
      label: 'Operator two',
      role: 'operator',
    },
    { key: 'stranger', staffId: SIM_PEOPLE.stranger, nick: '陌生人', label: 'Stranger', role: 'stranger' },
  ]
  return {
    people,
    groups: [{ conversationId: config.adminConversations[0] ?? SIM_PEOPLE.opsGroup, title: '运维群 Ops group' }],
  }
}

/**
 * Starts the built-in DingTalk simulator and points the config at it. Operators and the admin group get
 * demo defaults only when none are configured, so a newcomer can try every command at once.
 */
export async function startSimulatorMode(
  config: RouterConfig,
  log: Logger,
): Promise<{ config: RouterConfig; simulator: DingTalkSimulator; chatPage?: ChatPage }> {
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
      // The simulator's org is ours: card presses, which name only the presser's corp, are checked against it.
      corpId: config.dingtalk.corpId ?? SIM_CORP_ID,
    },
    operators:
      config.operators.length > 0
        ? config.operators
        : [
            { staffId: SIM_PEOPLE.operatorOne, name: 'operator-one' },
            { staffId: SIM_PEOPLE.operatorTwo, name: 'operator-two' },
          ],
    adminConversations: config.adminConversations.length > 0 ? config.adminConversations : [SIM_PEOPLE.opsGroup],
  }
  // With no model configured, `ask` answers from a labelled local stand-in, through the real client and egress path.
  if (!config.model.baseUrl) {
    const standIn = await startStandInModel()
    simConfig.model = { ...config.model, baseUrl: standIn.baseUrl, name: 'local-stand-in', label: STAND_IN_LABEL }
    simConfig.egress = { ...config.egress, allowHttpLoopback: [...config.egress.allowHttpLoopback, standIn.dest] }
    log.info(
      { model: standIn.baseUrl },
      `no model configured: "ask" answers from a local stand-in, labelled ${STAND_IN_LABEL}`,
    )
  }
  if (Object.keys(config.openclaw.routes).length === 0)
    Object.assign(simConfig, (await withOpenClawDemo(simConfig, log)).settings)
  // The page is a convenience: if its port is taken, say how to fix it and keep the router and `say` working.
  const chatPage = await startChatPage({
    simulatorUrl: simulator.baseUrl,
    port: config.simulator.chatPort,
    ...chatDirectory(simConfig),
  }).catch((err: unknown) => {
    log.warn(
      { err: err instanceof Error ? err.message : String(err), chatPort: config.simulator.chatPort },
      'chat page not started: set simulator.chatPort in the ROUTER_CONFIG file to a free port (0 picks one)',
    )
    return undefined
  })
  const infoFile = join(dirname(resolve(config.db)), 'simulator.json')
  // On a fresh checkout the database folder (./data) does not exist yet: the database opens only later.
  ensurePrivateDir(infoFile)
  writeFileSync(infoFile, JSON.stringify({ baseUrl: simulator.baseUrl, chatUrl: chatPage?.url }, null, 2) + '\n', {
    mode: 0o600,
  })
  log.warn(
    { mode: 'simulator', simulator: simulator.baseUrl },
    'simulator mode: no DingTalk credentials are configured, so the router talks to its built-in local stand-in for DingTalk; any local process can speak as any operator through it. Never use this mode for real work (NODE_ENV=production refuses it)',
  )
  log.info(
    {
      simulator: simulator.baseUrl,
      operators: simConfig.operators.map((o) => o.staffId),
      adminConversation: simConfig.adminConversations[0],
    },
    `SIMULATOR MODE (no DINGTALK_CLIENT_ID/SECRET set): talk to the bot with: npm run say -- "ping"   ` +
      `or as an operator in the ops group: npm run say -- --as ${SIM_PEOPLE.operatorOne} --group ${SIM_PEOPLE.opsGroup} "/status"`,
  )
  if (chatPage)
    log.info({ chat: chatPage.url }, `CHAT PAGE: open ${chatPage.url} to chat with the bot as a user or an operator`)
  return { config: simConfig, simulator, chatPage }
}
