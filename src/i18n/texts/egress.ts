import type { TextsShape } from '../shape.js'

// Why a skill's outbound call failed when the backend is not down: the router's own policy blocked it, or the
// backend refused the router's credentials. Names only host:port, never a URL.

const en = {
  policyBlocked: (skill: string, destination: string | undefined, code: string) =>
    `"${skill}" cannot reach${destination ? ` ${destination}` : ''}: the call is blocked by the router's egress policy (${code}), so nothing was sent. The service may be fine; an operator has to fix the configuration.`,
  credentialsRefused: (skill: string, destination: string | undefined, status: number) =>
    `"${skill}":${destination ? ` ${destination}` : ''} refused the router's credentials (HTTP ${status}). The service is answering; an operator has to check the credentials configured for it.`,
}

const zhCN: TextsShape<typeof en> = {
  policyBlocked: (skill, destination, code) =>
    `“${skill}”无法访问${destination ? ` ${destination}` : '目标服务'}：这次调用被路由器的出站策略拦截（${code}），没有发出任何请求。服务本身可能正常，需要运维人员修正配置。`,
  credentialsRefused: (skill, destination, status) =>
    `“${skill}”：${destination ? `${destination} ` : '目标服务'}拒绝了路由器的凭据（HTTP ${status}）。服务在正常响应，需要运维人员检查为它配置的凭据。`,
}

export const egressTexts = { en, 'zh-CN': zhCN }
