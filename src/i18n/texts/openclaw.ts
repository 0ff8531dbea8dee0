import type { TextsShape } from '../shape.js'

// The OpenClaw routes (`openclaw.routes.<name>`): what users read besides the agent's own answer. The route's
// name and trigger stay literal: they are what the user types.

const en = {
  /** The description `help` shows when the route's config gives none. */
  description: (agentId: string) => `Ask the OpenClaw agent "${agentId}"`,
  example: (trigger: string) => `${trigger} which alerts fired today? (${trigger} /reset starts over)`,
  notSetUp: (route: string) => `"${route}" is not set up in this router; an operator needs to check openclaw.routes.`,
  /** Names no conversation: it says only that the route does not work here. */
  notHere: (route: string) => `Sorry, "${route}" is not available in this conversation.`,
  reset: (route: string) =>
    `Started a new "${route}" session for this conversation; the agent no longer sees the earlier messages.`,
  /** The Gateway answered 429 after failed sign-ins (gateway.auth.rateLimit): the route's settings, not load. */
  gatewayLocked: (route: string) =>
    `The OpenClaw gateway behind "${route}" is refusing requests after failed sign-ins (HTTP 429); nothing was done. An operator needs to check the route settings.`,
  gatewayRefused: (route: string, status: number) =>
    `The OpenClaw gateway refused this request (HTTP ${status}). An operator needs to check the "${route}" route settings.`,
  /** A timed-out turn may still have run on the agent, so it never claims that nothing happened. */
  unavailable: (route: string) =>
    `"${route}" got no answer from its OpenClaw agent (the gateway is not answering, or the route is paused). If you asked it to change something, check whether it happened before asking again.`,
  toolRequested: (route: string) =>
    `The agent behind "${route}" asked for a tool the router does not offer, and gave no answer.`,
  emptyAnswer: (route: string) => `The agent behind "${route}" gave an empty answer.`,
}

const zhCN: TextsShape<typeof en> = {
  description: (agentId) => `向 OpenClaw 智能体“${agentId}”提问`,
  example: (trigger) => `${trigger} 今天有哪些告警？（发送“${trigger} 重置”可重新开始）`,
  notSetUp: (route) => `这个路由器没有配置“${route}”，需要运维人员检查 openclaw.routes。`,
  notHere: (route) => `抱歉，“${route}”在这个会话中不可用。`,
  reset: (route) => `已为这个会话开启新的“${route}”对话，智能体不会再看到之前的消息。`,
  gatewayLocked: (route) =>
    `“${route}”背后的 OpenClaw 网关因多次登录失败正在拒绝请求（HTTP 429），本次未执行任何操作。需要运维人员检查该路由的设置。`,
  gatewayRefused: (route, status) =>
    `OpenClaw 网关拒绝了这次请求（HTTP ${status}），需要运维人员检查“${route}”路由的设置。`,
  unavailable: (route) =>
    `“${route}”没有收到 OpenClaw 智能体的答复（网关没有响应，或该路由已暂停）。如果你让它修改了什么，请先确认是否已经生效，再重新发送。`,
  toolRequested: (route) => `“${route}”背后的智能体请求了路由器不提供的工具，没有给出答复。`,
  emptyAnswer: (route) => `“${route}”背后的智能体返回了空白答复。`,
}

export const openclawTexts = { en, 'zh-CN': zhCN }
