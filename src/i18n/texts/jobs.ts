import type { TextsShape } from '../shape.js'

// Notices of the scheduled jobs: known-good, usage drift, the access review. Digests, routes, staffIds,
// audit actions and outcome words stay literal.

const en = {
  knownGood: (digest: string, readyMinutes: number, errors: number, messages: number, configVersion: number) =>
    `Release ${digest} is now known-good (ready ${readyMinutes} min, ${errors}/${messages} errors in 15 min); config v${configVersion} marked known-good with it.`,
  /** A drift measure's name: `prompt size`, `p95 latency`, `tool calls`. */
  measure: (name: string) => name,
  tokens: (n: number) => `${Math.round(n).toLocaleString('en-US')} tokens`,
  seconds: (ms: number) => `${(ms / 1000).toFixed(1)} s`,
  perRequest: (n: number) => `${n.toFixed(1)} per request`,
  driftPart: (measure: string, lastHour: string, baseline: string, ratio: number) =>
    `${measure} ${lastHour} vs ${baseline} (${ratio}×)`,
  drift: (route: string, parts: string, recent: number, baseline: number) =>
    `Usage drift on **${route}**, last hour vs the 24 h before: ${parts}. ` +
    `${recent} vs ${baseline} requests. See /budget ${route}.`,
  accessHeading: (operators: number, inactive: number, days: number) =>
    `Access review: ${operators} operator(s), ${inactive} inactive for more than ${days} days.`,
  /** `at` is ISO to the second, `ago` how long ago in words, `what` the entry's `action outcome`. */
  lastActive: (at: string, ago: string, what: string) => `last active ${at} (${ago}, ${what})`,
  noActivity: (since: string) => `no activity in the audit trail${since ? ` since ${since}` : ''}`,
  inactive: 'INACTIVE ',
  accessAdvice:
    'Remove operators who no longer need access from ROUTER_OPERATORS, and review the host keys and firewall rules (docs/RUNBOOK.md).',
}

const MEASURE_ZH: Record<string, string> = {
  'prompt size': '提示词大小',
  'p95 latency': 'p95 延迟',
  'tool calls': '工具调用',
}

const zhCN: TextsShape<typeof en> = {
  knownGood: (digest, readyMinutes, errors, messages, configVersion) =>
    `发布 ${digest} 现已标记为 known-good（已就绪 ${readyMinutes} 分钟，15 分钟内错误 ${errors}/${messages}）；配置 v${configVersion} 一并标记为 known-good。`,
  measure: (name) => MEASURE_ZH[name] ?? name,
  tokens: (n) => `${Math.round(n).toLocaleString('en-US')} 个 token`,
  seconds: (ms) => `${(ms / 1000).toFixed(1)} 秒`,
  perRequest: (n) => `每次请求 ${n.toFixed(1)} 次`,
  driftPart: (measure, lastHour, baseline, ratio) => `${measure} ${lastHour}，对比 ${baseline}（${ratio}×）`,
  drift: (route, parts, recent, baseline) =>
    `**${route}** 用量异常（最近一小时对比之前 24 小时）：${parts}。` +
    `请求数 ${recent} 对比 ${baseline}。详见 /budget ${route}。`,
  accessHeading: (operators, inactive, days) =>
    `权限复核：共 ${operators} 位值班人员，其中 ${inactive} 位超过 ${days} 天未活动。`,
  lastActive: (at, ago, what) => `最近活动 ${at}（${ago}，${what}）`,
  noActivity: (since) => `审计记录中${since ? `自 ${since} 起` : ''}没有活动`,
  inactive: '【未活动】',
  accessAdvice: '请从 ROUTER_OPERATORS 中移除不再需要权限的值班人员，并复核主机密钥和防火墙规则（docs/RUNBOOK.md）。',
}

export const jobsTexts = { en, 'zh-CN': zhCN }
