import type { TextsShape } from '../shape.js'

// The `ask` skill: what users read besides the model's own answer.

const en = {
  description: 'Ask the on-call assistant (a language model) a short question',
  example: 'ask why is checkout slow since 10:40?',
  noModel:
    'Asking the assistant is not set up here: no model is configured (an operator sets model.baseUrl and model.name). Type "help" for what I can do.',
  modelDown:
    'The assistant\'s model is not answering right now, so I cannot answer that. Please try again in a few minutes; "status <service>" still works.',
  /** Appended to an answer served from the cache. */
  cachedNote: '(cached answer)',
  /** Appended to an answer the model stopped before finishing (its output limit, or its content filter). */
  cutNote: '(answer cut off: the model stopped before finishing it)',
  toolCap: (max: number) =>
    `I stopped after this route's limit of ${max} tool call${max === 1 ? '' : 's'} without an answer. Please ask something narrower: one service, one time window.`,
}

const zhCN: TextsShape<typeof en> = {
  description: '向值班助手（语言模型）提一个简短的问题',
  example: '问 为什么 10:40 以后结账变慢了？',
  noModel:
    '这里还没有开通助手问答：尚未配置模型（需要运维人员设置 model.baseUrl 和 model.name）。发送“帮助”看看我能做什么。',
  modelDown: '助手的模型暂时没有响应，我无法回答这个问题。请过几分钟再试；“服务状态 <服务名>”仍然可用。',
  cachedNote: '（缓存的回答）',
  cutNote: '（回答不完整：模型没有写完就停止了）',
  toolCap: (max) => `已达到本路由 ${max} 次工具调用的上限，仍没有得出答案。请问得更具体些：一个服务、一个时间段。`,
}

export const askTexts = { en, 'zh-CN': zhCN }
