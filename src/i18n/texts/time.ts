import { formatDuration } from '../../duration.js'
import { ago } from '../../time-text.js'
import type { TextsShape } from '../shape.js'

// Spans of time in words, for every text that says how long ago or how soon ("5m ago", "in 10m").

const en = {
  /** A span the way an operator reads it: `14m 59s`, `2h 5m`. */
  duration: (ms: number) => formatDuration(ms),
  /** How long ago something happened; `just now` under a second. */
  ago: (ms: number) => ago(ms),
  /** How soon something happens. */
  in: (ms: number) => `in ${formatDuration(ms)}`,
}

/** `14分59秒`, `2小时5分`, `1天3小时`: the same two largest units as formatDuration, in Chinese. */
function zhDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}毫秒`
  const s = Math.floor(ms / 1000)
  const d = Math.floor(s / 86400)
  const h = Math.floor((s % 86400) / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = s % 60
  const parts: [number, string][] = d
    ? [
        [d, '天'],
        [h, '小时'],
      ]
    : h
      ? [
          [h, '小时'],
          [m, '分'],
        ]
      : m
        ? [
            [m, '分'],
            [sec, '秒'],
          ]
        : [[sec, '秒']]
  const shown = parts.filter(([n], i) => n !== 0 || i === 0)
  // Minutes alone read `15分钟`; beside seconds or hours the short `分` is usual (`14分59秒`, `2小时5分`).
  if (shown.length === 1 && shown[0]![1] === '分') return `${shown[0]![0]}分钟`
  return shown.map(([n, unit]) => `${n}${unit}`).join('')
}

const zhCN: TextsShape<typeof en> = {
  duration: zhDuration,
  // The one ago() decides "just now"; only the words around the span are Chinese.
  ago: (ms) => ago(ms, { justNow: '刚刚', ago: () => `${zhDuration(ms)}前` }),
  in: (ms) => `${zhDuration(ms)}后`,
}

export const timeTexts = { en, 'zh-CN': zhCN }
