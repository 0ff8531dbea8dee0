import type { TextsShape } from '../shape.js'

// The router's own answers before any skill runs: who may use it, how fast, what it did not understand,
// and what went wrong on its side.

const en = {
  /** A sender outside `users.allow`. */
  notAllowed: 'Sorry, you are not allowed to use this bot. Ask your on-call team for access.',
  /** The same words for every refused `/command`, so a refusal reveals nothing about the configuration. */
  commandRefused: 'Sorry, that command is not available here.',
  rateLimited: 'You are sending messages faster than I can take them. Please wait a minute and try again.',
  noMatch: 'I did not understand that. Type "help" to see what I can do.',
  /** Waited in the queue past `limits.maxQueueAge`. */
  stale: 'Sorry, this took too long and I could not answer in time. Please ask again.',
  internalError: (refId: string) => `Something went wrong on our side. Reference: ${refId}`,
}

const zhCN: TextsShape<typeof en> = {
  notAllowed: '抱歉，你还没有使用这个机器人的权限，请联系值班团队开通。',
  commandRefused: '抱歉，这里不能使用该命令。',
  rateLimited: '你发消息太快了，我处理不过来，请等一分钟再试。',
  noMatch: '我没看懂这条消息。发送“帮助”看看我能做什么。',
  stale: '抱歉，处理超时，没能及时回复你，请重新发送一次。',
  internalError: (refId) => `我们这边出了点问题。参考编号：${refId}`,
}

export const routerTexts = { en, 'zh-CN': zhCN }
