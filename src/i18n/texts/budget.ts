import type { TextsShape } from '../shape.js'

// The short, deterministic reply to a request over its route's token budget: how big, what fits, what to narrow.

// Round to what a person reads: exact below a thousand, to the hundred above (9,120 → 9,100).
function about(tokens: number): string {
  const rounded = tokens < 1000 ? tokens : Math.round(tokens / 100) * 100
  return rounded.toLocaleString('en-US')
}

const en = {
  needsMoreInfo: (tokens: number, limit: number) =>
    `That is about ${about(tokens)} tokens; this route takes ${limit.toLocaleString('en-US')}. ` +
    'Please narrow it: the service name, the time window, and the one error line that matters.',
}

const zhCN: TextsShape<typeof en> = {
  needsMoreInfo: (tokens, limit) =>
    `这条请求约 ${about(tokens)} 个 token，本路由最多接受 ${limit.toLocaleString('en-US')} 个。` +
    '请缩小范围：写明服务名、时间段，以及最关键的那一行错误。',
}

export const budgetTexts = { en, 'zh-CN': zhCN }
