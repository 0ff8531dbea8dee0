import type { TextsShape } from '../shape.js'

// The small built-in skills (`help`, `ping`): what `help` says about them, and their replies.
// A skill's example is what the user types, so it is written in the words that locale matches (`帮助`).

const en = {
  help: {
    description: 'What I can do for you',
    example: 'help',
    title: 'What I can do',
    heading: '### What I can do',
    /** One line of the list: the example to type, then what it does. */
    line: (example: string, description: string) => `- **${example}**: ${description}`,
  },
  ping: {
    description: 'Check that the bot is alive',
    reply: 'pong',
  },
}

const zhCN: TextsShape<typeof en> = {
  help: {
    description: '看看我能为你做什么',
    example: '帮助',
    title: '我能做什么',
    heading: '### 我能做什么',
    line: (example, description) => `- **${example}**：${description}`,
  },
  ping: {
    description: '检查机器人是否在线',
    reply: 'pong（我在线）',
  },
}

export const skillsTexts = { en, 'zh-CN': zhCN }
