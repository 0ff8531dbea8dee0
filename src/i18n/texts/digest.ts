import type { TextsShape } from '../shape.js'

// The daily digest posted to the admin conversations. Digests, config versions and counts stay literal.

const en = {
  heading: 'Daily digest',
  release: (digest: string, deployed: string) => `- release ${digest}${deployed}`,
  deployed: (ago: string, by: string) => `, deployed ${ago} by ${by}`,
  knownGood: (text: string) => `- known-good: ${text}`,
  noneYet: 'none yet',
  thisRelease: 'this release',
  errors: (text: string) => `- errors (24 h): ${text}`,
  incident: (on: boolean, reason: string, configVersion: number) =>
    `- incident mode: ${on ? `ON${reason ? ` (${reason})` : ''}` : 'off'}; config v${configVersion}`,
  skills: (off: string, pending: number) => `- skills off: ${off || 'none'}; pending approvals: ${pending}`,
}

const zhCN: TextsShape<typeof en> = {
  heading: '每日摘要',
  release: (digest, deployed) => `- 发布 ${digest}${deployed}`,
  deployed: (ago, by) => `，${ago}由 ${by} 部署`,
  knownGood: (text) => `- known-good：${text}`,
  noneYet: '暂无',
  thisRelease: '当前版本',
  errors: (text) => `- 错误（24 小时）：${text}`,
  incident: (on, reason, configVersion) =>
    `- 事故模式：${on ? `开启${reason ? `（${reason}）` : ''}` : '关闭'}；配置 v${configVersion}`,
  skills: (off, pending) => `- 已关闭技能：${off || '无'}；待审批：${pending}`,
}

export const digestTexts = { en, 'zh-CN': zhCN }
