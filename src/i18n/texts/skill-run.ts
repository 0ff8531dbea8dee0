import type { TextsShape } from '../shape.js'
import { timeTexts } from './time.js'

const enTime = timeTexts.en
const zhTime = timeTexts['zh-CN']

// What a user reads when a skill does not run or does not finish: switched off, limited, paused, timed out.
// Skill names stay literal: they are what the user types.

/** Why a skill answers "paused": incident mode holds it back, or every backend it calls is failing. */
type PauseReason = 'incident' | 'backend-down'

const en = {
  turnedOff: (skill: string) => `"${skill}" is turned off by the operators right now. Please try again later.`,
  limited: (skill: string) => `Sorry, "${skill}" is limited to specific people.`,
  /** The skill matched, but its arguments did not validate: its example shows the form. */
  badArgs: (example: string) => `I could not read that. Try: ${example}`,
  paused: (skill: string, reason: PauseReason) =>
    `"${skill}" is paused because ${reason === 'incident' ? 'incident mode is on' : 'its backend is not answering'}. Please try again later.`,
  timedOut: (skill: string, ms: number) =>
    `"${skill}" did not answer within ${enTime.duration(ms)}. Please try again later.`,
}

const zhCN: TextsShape<typeof en> = {
  turnedOff: (skill) => `“${skill}”已被运维人员暂时关闭，请稍后再试。`,
  limited: (skill) => `抱歉，“${skill}”仅限特定人员使用。`,
  badArgs: (example) => `我没看懂，请这样试试：${example}`,
  paused: (skill, reason) =>
    `“${skill}”已暂停：${reason === 'incident' ? '当前处于故障应急模式' : '它依赖的后端服务没有响应'}。请稍后再试。`,
  timedOut: (skill, ms) => `“${skill}”在${zhTime.duration(ms)}内没有答复，请稍后再试。`,
}

export const skillRunTexts = { en, 'zh-CN': zhCN }
