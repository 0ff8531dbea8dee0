import type { TextsShape } from '../shape.js'
import { timeTexts } from './time.js'

const enTime = timeTexts.en
const zhTime = timeTexts['zh-CN']

// The `service-status` skill: a service's state from the status API, or why there is none. The service's
// name and the state word the API returns stay as they are.

const en = {
  description: 'Current status of an internal service',
  example: 'status payments',
  notConfigured:
    'The status lookup is not configured yet: an operator sets services.statusApi.baseUrl in the router config.',
  unknownService: (service: string) => `I do not know a service called "${service}".`,
  /** The answer: `payments: degraded (card payments slow)`. */
  status: (service: string, state: string, message: string | undefined) =>
    `${service}: ${state}${message ? ` (${message})` : ''}`,
  noRecentAnswer: (service: string) =>
    `The status API is not answering right now and I have no recent answer for "${service}". Please try again in a few minutes.`,
  /** The fallback: the last good answer (`status`), and how old it is. */
  lastKnown: (status: string, ageMs: number) =>
    `${status}. Last known ${enTime.ago(ageMs)}: the status API is not answering right now.`,
}

const zhCN: TextsShape<typeof en> = {
  description: '查询内部服务的当前状态',
  example: '服务状态 payments',
  notConfigured: '服务状态查询尚未配置：需要运维人员在路由器配置中设置 services.statusApi.baseUrl。',
  unknownService: (service) => `没有找到名为“${service}”的服务。`,
  status: (service, state, message) => `${service}：${state}${message ? `（${message}）` : ''}`,
  noRecentAnswer: (service) => `状态接口暂时没有响应，我也没有“${service}”的近期结果，请过几分钟再试。`,
  lastKnown: (status, ageMs) => `${status}。状态接口暂时没有响应，这是${zhTime.ago(ageMs)}的最新结果。`,
}

export const serviceStatusTexts = { en, 'zh-CN': zhCN }
