import type { TextsShape } from '../shape.js'

// /incident: the state in one line, the dry run of `/incident off`, and the reply to `/incident on`.

const en = {
  /** `ago` and `soon` come worded from the time area: `5m ago`, `in 10m`. */
  ending: (at: string, by: string) => `ending: its ttl ran out at ${at} (turned on by ${by})`,
  off: (by: string, ago: string) => `off${by ? ` (last turned off by ${by} ${ago})` : ''}`,
  on: (since: string, ago: string, by: string) => `ON since ${since} (${ago}) by ${by}`,
  reason: (reason: string) => `reason: "${reason}"`,
  /** The parts of the state line, joined. */
  join: (parts: string[]) => parts.join('; '),
  ends: (at: string, soon: string) => `ends ${at} (${soon})`,
  offPreview: (state: string, resumed: string) =>
    `Incident mode is ${state}. Approving turns it off and resumes: ${resumed || 'no skills (none is risky)'}.`,
  onTitle: 'Incident mode on',
  onHeading: (extended: boolean) => `### Incident mode ${extended ? 'extended' : 'on'}`,
  state: (text: string) => `- **State:** ${text}`,
  paused: (skills: string) => `- **Paused:** ${skills || 'none'}`,
  fallbacks: (skills: string) => `- **Answering from fallbacks:** ${skills || 'none'}`,
  onFooter: 'Read-only skills keep working. /incident off needs a second operator; so does ending it sooner.',
}

const zhCN: TextsShape<typeof en> = {
  ending: (at, by) => `即将关闭：ttl 已于 ${at} 到期（由 ${by} 开启）`,
  off: (by, ago) => `关闭${by ? `（最近由 ${by} 于${ago}关闭）` : ''}`,
  on: (since, ago, by) => `开启，自 ${since}（${ago}），由 ${by} 开启`,
  reason: (reason) => `原因：“${reason}”`,
  join: (parts) => parts.join('；'),
  ends: (at, soon) => `${at} 结束（${soon}）`,
  offPreview: (state, resumed) =>
    `事故模式当前为：${state}。批准后将关闭并恢复：${resumed || '无（没有高风险技能）'}。`,
  onTitle: '事故模式已开启',
  onHeading: (extended) => `### 事故模式已${extended ? '延长' : '开启'}`,
  state: (text) => `- **状态：** ${text}`,
  paused: (skills) => `- **已暂停：** ${skills || '无'}`,
  fallbacks: (skills) => `- **由兜底回答：** ${skills || '无'}`,
  onFooter: '只读技能照常工作。/incident off 需要另一位值班人员批准，提前结束也一样。',
}

export const incidentTexts = { en, 'zh-CN': zhCN }
