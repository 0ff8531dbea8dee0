import type { TextsShape } from '../shape.js'

// /runbook (also in routerctl status, in English there) and /diag. Check names, destinations, digests
// and error codes are data and stay literal.

const en = {
  heading: '### Runbook',
  readyUnknown: 'unknown (the bot process did not answer)',
  readyYes: 'yes',
  readyNo: (failing: string) => `NO: ${failing}`,
  ready: (text: string) => `- **Ready:** ${text}`,
  errors: (minutes: number, text: string) => `- **Errors (${minutes} min):** ${text}`,
  /** `newest` marks a digest read from the newest deploy record (routerctl, bot down). */
  running: (digest: string, version: string, newest: boolean, deployed: string) =>
    `- **Running:** ${digest}${version ? ` (v${version})` : ''}${newest ? ' [newest deploy record]' : ''}${deployed}`,
  deployed: (ago: string, by: string) => `, deployed ${ago} by ${by}`,
  noDeploy: ', no deploy event recorded',
  knownGood: (text: string) => `- **Last known-good:** ${text}`,
  noneYet: 'none yet',
  thisRelease: (ago: string) => `this release, since ${ago}`,
  otherRelease: (digest: string, ago: string) => `${digest}, since ${ago}`,
  rollbackPending: (id: number, digest: string, status: string, by: string, ago: string) =>
    `- **Rollback pending:** #${id} → ${digest} (${status}, asked by ${by} ${ago})`,
  /** deploy/reconcile.sh's report (data/reconcile-result.json) of this request; `when` may be empty. */
  rollbackFailed: (id: number, digest: string, detail: string, when: string, by: string, asked: string) =>
    `- **Rollback #${id} → ${digest} FAILED on the host:** ${detail || 'no detail given'}${when ? ` (${when})` : ''}; asked by ${by} ${asked}`,
  /** Appended to the pending line: the host's outcome (`retrying`, `applied`) is data and stays literal. */
  hostSaid: (outcome: string, detail: string, when: string) =>
    `; host: ${outcome}${when ? ` ${when}` : ''}${detail ? `: ${detail}` : ''}`,
  hostUnreadable: (why: string) => `; the host's reconcile-result.json cannot be read (${why})`,
  noEgress: '- **Egress:** no skill declares a destination',
  egress: (reachable: number, total: number) => `- **Egress:** ${reachable}/${total} reachable`,
  probeFailed: 'failed',
  diagTitle: (where: string) => `Diagnostics: ${where}`,
  diagRoute: (route: string) => `route ${route}`,
  diagAll: 'all routes',
  /** `within` is empty or {@link diagWithin}'s words. */
  diagNone: (where: string, within: string) => `No error events stored for ${where}${within}.`,
  diagWithin: (hours: number) => ` in the last ${hours} h`,
  /** `atLeast` when there were more events than were counted. */
  diagKinds: (n: number, atLeast: boolean) =>
    `${atLeast ? 'at least ' : ''}${n.toLocaleString('en-US')} kind${n === 1 ? '' : 's'} of error`,
  diagHeader: (where: string, within: string, kinds: string, occurrences: number, cap: number) =>
    `**${where}**${within}: ${kinds}, ${occurrences.toLocaleString('en-US')} occurrence${occurrences === 1 ? '' : 's'}; newest first (cap ${cap.toLocaleString('en-US')} bytes).`,
  diagMore: (kinds: string, narrow: boolean) =>
    `…and ${kinds} more not shown.${narrow ? ' /diag <route> narrows it.' : ''}`,
  diagSeen: (last: string, first: string) => `last ${last}, first ${first}`,
  diagSample: (sample: string) => `Newest sample (redacted): ${sample}`,
}

const zhCN: TextsShape<typeof en> = {
  heading: '### 值班手册',
  readyUnknown: '未知（机器人进程没有响应）',
  readyYes: '是',
  readyNo: (failing) => `否：${failing}`,
  ready: (text) => `- **就绪：** ${text}`,
  errors: (minutes, text) => `- **错误（${minutes} 分钟）：** ${text}`,
  running: (digest, version, newest, deployed) =>
    `- **运行中：** ${digest}${version ? `（v${version}）` : ''}${newest ? ' [最新部署记录]' : ''}${deployed}`,
  deployed: (ago, by) => `，${ago}由 ${by} 部署`,
  noDeploy: '，没有部署记录',
  knownGood: (text) => `- **最近 known-good：** ${text}`,
  noneYet: '暂无',
  thisRelease: (ago) => `当前版本，自${ago}起`,
  otherRelease: (digest, ago) => `${digest}，自${ago}起`,
  rollbackPending: (id, digest, status, by, ago) =>
    `- **待执行回滚：** #${id} → ${digest}（${status}，${by} ${ago}发起）`,
  rollbackFailed: (id, digest, detail, when, by, asked) =>
    `- **回滚 #${id} → ${digest} 在主机上【失败】：** ${detail || '未给出原因'}${when ? `（${when}）` : ''}；${by} ${asked}发起`,
  hostSaid: (outcome, detail, when) => `；主机：${outcome}${when ? ` ${when}` : ''}${detail ? `：${detail}` : ''}`,
  hostUnreadable: (why) => `；无法读取主机的 reconcile-result.json（${why}）`,
  noEgress: '- **出站：** 没有技能声明出站目标',
  egress: (reachable, total) => `- **出站：** ${reachable}/${total} 可达`,
  probeFailed: '失败',
  diagTitle: (where) => `诊断：${where}`,
  diagRoute: (route) => `路由 ${route}`,
  diagAll: '所有路由',
  diagNone: (where, within) => `${where}${within}没有已存储的错误事件。`,
  diagWithin: (hours) => `最近 ${hours} 小时内`,
  diagKinds: (n, atLeast) => `${atLeast ? '至少 ' : ''}${n.toLocaleString('en-US')} 类错误`,
  diagHeader: (where, within, kinds, occurrences, cap) =>
    `**${where}**${within ? `（${within}）` : ''}：${kinds}，共 ${occurrences.toLocaleString('en-US')} 次；最新在前（上限 ${cap.toLocaleString('en-US')} 字节）。`,
  diagMore: (kinds, narrow) => `……另有 ${kinds}未显示。${narrow ? '发送 /diag <route> 缩小范围。' : ''}`,
  diagSeen: (last, first) => `最近 ${last}，最早 ${first}`,
  diagSample: (sample) => `最新样本（已脱敏）：${sample}`,
}

export const runbookTexts = { en, 'zh-CN': zhCN }
