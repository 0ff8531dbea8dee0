import type { DingTalkSimulator } from './server.js'

/**
 * The DINGTALK_* environment that points a router process at this simulator, as if it were DingTalk.
 * @example spawn('node', ['--import', 'tsx', 'src/main.ts'], { env: { ...process.env, ...simulatorEnv(sim) } })
 */
export function simulatorEnv(sim: DingTalkSimulator): Record<string, string> {
  return {
    DINGTALK_CLIENT_ID: sim.clientId,
    DINGTALK_CLIENT_SECRET: sim.clientSecret,
    DINGTALK_GATEWAY_URL: sim.gatewayUrl,
    DINGTALK_API_BASE: sim.apiBase,
    DINGTALK_WEBHOOK_HOSTS: sim.webhookHost,
    DINGTALK_ROBOT_CODE: sim.robotCode,
  }
}
