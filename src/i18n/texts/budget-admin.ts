import type { RouteUsage } from '../../store/model-usage.js'
import type { TextsShape } from '../shape.js'

// /budget and the model-usage lines of /status. The budget words `context`, `diag`, `tools` are what the
// operator types and stay literal; so do where a value comes from (`config`, `runtime`, `default`).

const n = (v: number) => v.toLocaleString('en-US')

const en = {
  /** One route's usage in a line. */
  usage: (u: RouteUsage) => {
    const time = u.modelCalls ? `, avg ${(u.latencyMs / u.modelCalls / 1000).toFixed(1)} s per model call` : ''
    const plural = (v: number, word: string) => `${n(v)} ${word}${v === 1 ? '' : 's'}`
    return (
      `${plural(u.requests, 'request')}, ${n(u.promptTokens)} prompt + ${n(u.completionTokens)} completion tokens, ` +
      `${plural(u.toolCalls, 'tool call')}, cache ${n(u.cacheHits)} hit / ${n(u.cacheMisses)} miss, ${n(u.refusals)} refused${time}`
    )
  },
  noUse: 'no model use',
  oneTitle: (route: string) => `Budget of ${route}`,
  context: (tokens: string, source: string) => `- **context:** ${tokens} tokens (${source})`,
  diag: (bytes: string, source: string) => `- **diag:** ${bytes} bytes (${source})`,
  tools: (calls: string, source: string) => `- **tools:** ${calls} calls (${source})`,
  lastHour: (text: string) => `- **Last hour:** ${text}`,
  change: (route: string) =>
    `Change: /budget ${route} context=<tokens> diag=<bytes> [tools=<n>] (raising needs a second operator)`,
  allTitle: 'Budgets',
  colRoute: 'route',
  colLastHour: 'last hour',
  allFooter: '/budget <route> shows where each value comes from; raising needs a second operator.',
  previewHead: (route: string) => `Approving sets the budget of **${route}**:`,
  raise: ' (raise)',
  unknownRoute: (route: string, routes: string) => `No route named "${route}". Routes: ${routes}.`,
  badValue: (word: string, min: number, max: number) => `${word}= must be a whole number from ${min} to ${n(max)}.`,
  noValue: 'Give at least one of context=<tokens> diag=<bytes> tools=<n>.',
  /** `withoutTools` is the smaller floor with `tools=0`, or -1 when tools are already off. */
  belowFloor: (context: number, minimum: number, route: string, withoutTools: number) =>
    `context=${context} is below the ${minimum} tokens that every ${route} request needs before the question (system prompt${withoutTools >= 0 ? ' and tool schemas' : ''}), so every question would be refused: set context= to at least ${minimum}${withoutTools >= 0 ? `, or tools=0 for ${withoutTools}` : ''}`,
  refused: (problem: string) => `Refused: ${problem}.`,
}

const zhCN: TextsShape<typeof en> = {
  usage: (u) => {
    const time = u.modelCalls ? `，平均每次模型调用 ${(u.latencyMs / u.modelCalls / 1000).toFixed(1)} 秒` : ''
    return (
      `${n(u.requests)} 次请求，提示词 ${n(u.promptTokens)} + 补全 ${n(u.completionTokens)} 个 token，` +
      `${n(u.toolCalls)} 次工具调用，缓存命中 ${n(u.cacheHits)} / 未命中 ${n(u.cacheMisses)}，拒绝 ${n(u.refusals)} 次${time}`
    )
  },
  noUse: '没有模型调用',
  oneTitle: (route) => `${route} 的预算`,
  context: (tokens, source) => `- **context：** ${tokens} 个 token（${source}）`,
  diag: (bytes, source) => `- **diag：** ${bytes} 字节（${source}）`,
  tools: (calls, source) => `- **tools：** ${calls} 次调用（${source}）`,
  lastHour: (text) => `- **最近一小时：** ${text}`,
  change: (route) => `修改：/budget ${route} context=<tokens> diag=<bytes> [tools=<n>]（提高需要另一位值班人员批准）`,
  allTitle: '预算',
  colRoute: '路由',
  colLastHour: '最近一小时',
  allFooter: '/budget <route> 显示每个值的来源；提高预算需要另一位值班人员批准。',
  previewHead: (route) => `批准后将设置 **${route}** 的预算：`,
  raise: '（提高）',
  unknownRoute: (route, routes) => `没有名为“${route}”的路由。已有路由：${routes}。`,
  badValue: (word, min, max) => `${word}= 必须是 ${min} 到 ${n(max)} 之间的整数。`,
  noValue: '请至少给出 context=<tokens>、diag=<bytes>、tools=<n> 中的一项。',
  belowFloor: (context, minimum, route, withoutTools) =>
    `context=${context} 低于每个 ${route} 请求在问题之前就需要的 ${minimum} 个 token（系统提示词${withoutTools >= 0 ? '和工具定义' : ''}），每个问题都会被拒绝：请把 context= 设为至少 ${minimum}${withoutTools >= 0 ? `，或设 tools=0 以降到 ${withoutTools}` : ''}`,
  refused: (problem) => `已拒绝：${problem}。`,
}

export const budgetAdminTexts = { en, 'zh-CN': zhCN }
