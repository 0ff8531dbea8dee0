import type { ErrorRate } from '../../store/usage.js'
import type { TextsShape } from '../shape.js'

// /status and /skills, and the error rate in words (also in /runbook and the digest). Stream states, breaker
// states, risk words, digests and versions are data and stay as the router reports them.

const en = {
  /** `words`: `3 of 40 messages (7.5%); …`; `short`: `3/40 = 7.5%; …`. Failures include fallback answers. */
  errorRate: (e: ErrorRate, style: 'words' | 'short') => {
    const fallbacks = e.fallbacks ? `; ${e.fallbacks} answered from a fallback` : ''
    const percent = `${(e.rate * 100).toFixed(1)}%`
    if (style === 'short') return `${e.errors}/${e.messages} = ${percent}${fallbacks}`
    if (e.messages === 0) return 'no messages'
    return `${e.errors} of ${e.messages} messages (${percent})${fallbacks}`
  },
  incidentFlag: ', INCIDENT MODE',
  skillsOffFlag: (n: number) => `, ${n} skill(s) off`,
  skillsPausedFlag: (n: number) => `, ${n} skill(s) paused by incident mode`,
  unauditedFlag: ', UNAUDITED STATE IGNORED',
  title: (headline: string) => `Status: ${headline}`,
  heading: '### Router status',
  version: (version: string, digest: string) => `- **Version:** ${version} (digest \`${digest}\`)`,
  uptime: (text: string) => `- **Uptime:** ${text}`,
  uptimeUnknown: 'unknown',
  justStarted: 'just started',
  stream: (state: string) => `- **Stream:** ${state}`,
  incident: (text: string) => `- **Incident mode:** ${text}`,
  errors: (minutes: number, text: string) => `- **Errors (${minutes} min):** ${text}`,
  pending: (n: number) => `- **Pending approvals:** ${n}${n ? ' (see /pending)' : ''}`,
  queue: (depth: number, oldestSeconds: number, busy: number, workers: number) =>
    `- **Queue:** ${depth} waiting${depth ? `, oldest ${oldestSeconds} s` : ''}; ${busy} of ${workers} workers busy`,
  /** Only shown while a notice is unsent: `waiting` still retried with backoff, `undelivered` given up. */
  outbox: (waiting: number, undelivered: number) =>
    `- **Admin notices not sent:** ${[waiting ? `${waiting} waiting to be sent` : '', undelivered ? `${undelivered} UNDELIVERED (given up after about a day of failures)` : ''].filter(Boolean).join(', ')}; why: /diag announcer`,
  stateVersion: (v: number) => `- **State version:** ${v}`,
  ignored: (versions: string) =>
    `- **IGNORED state version(s):** ${versions}: written outside the audit trail (no audit entry commits to them), so not applied. Check who wrote to the database.`,
  simulator: '- **Mode:** SIMULATOR (built-in local stand-in, not DingTalk)',
  database: (warning: string) => `- **Database:** ⚠ ${warning}`,
  modelUsage: '**Model usage (last hour)**',
  /** The incident line of /status: off, or ON with who, since when, why and until when. */
  incidentOff: 'off',
  incidentOn: '**ON**',
  by: (name: string) => `by ${name}`,
  since: (at: string) => `since ${at}`,
  endsIn: (soon: string) => `(ends ${soon})`,
  colSkill: 'skill',
  colState: 'state',
  colRisk: 'risk',
  colEgress: 'egress',
  colBreaker: 'breaker',
  on: 'on',
  off: (reason: string) => `OFF${reason ? ` (${reason})` : ''}`,
  /** On, but incident mode holds it back: its fallback (or a "paused" answer) replies instead. */
  paused: 'paused (incident)',
  none: 'none',
  skillsTitle: (on: number, off: number, paused: number) =>
    `Skills: ${on} on, ${paused ? `${paused} paused (incident), ` : ''}${off} off`,
  skillsHeading: (on: number, off: number, paused: number) =>
    `### Skills (${on} on, ${paused ? `${paused} paused (incident), ` : ''}${off} off)`,
}

const zhCN: TextsShape<typeof en> = {
  errorRate: (e, style) => {
    const fallbacks = e.fallbacks ? `；其中 ${e.fallbacks} 条由兜底回答` : ''
    const percent = `${(e.rate * 100).toFixed(1)}%`
    if (style === 'short') return `${e.errors}/${e.messages} = ${percent}${fallbacks}`
    if (e.messages === 0) return '没有消息'
    return `${e.messages} 条消息中 ${e.errors} 条出错（${percent}）${fallbacks}`
  },
  incidentFlag: '，事故模式',
  skillsOffFlag: (n) => `，${n} 个技能已关闭`,
  skillsPausedFlag: (n) => `，${n} 个技能因事故模式暂停`,
  unauditedFlag: '，已忽略未审计的状态',
  title: (headline) => `状态：${headline}`,
  heading: '### 路由器状态',
  version: (version, digest) => `- **版本：** ${version}（digest \`${digest}\`）`,
  uptime: (text) => `- **运行时长：** ${text}`,
  uptimeUnknown: '未知',
  justStarted: '刚刚启动',
  stream: (state) => `- **Stream 连接：** ${state}`,
  incident: (text) => `- **事故模式：** ${text}`,
  errors: (minutes, text) => `- **错误（${minutes} 分钟）：** ${text}`,
  pending: (n) => `- **待审批：** ${n}${n ? '（见 /pending）' : ''}`,
  queue: (depth, oldestSeconds, busy, workers) =>
    `- **队列：** ${depth} 条等待${depth ? `，最久 ${oldestSeconds} 秒` : ''}；${workers} 个 worker 中 ${busy} 个忙碌`,
  outbox: (waiting, undelivered) =>
    `- **未发出的管理通知：** ${[waiting ? `${waiting} 条等待发送` : '', undelivered ? `${undelivered} 条未送达（连续失败约一天后已放弃）` : ''].filter(Boolean).join('，')}；原因见 /diag announcer`,
  stateVersion: (v) => `- **状态版本：** ${v}`,
  ignored: (versions) =>
    `- **已忽略的状态版本：** ${versions}：在审计记录之外写入（没有审计记录对应），因此未生效。请查明是谁写了数据库。`,
  simulator: '- **模式：** 模拟器（内置的本地替身，不是钉钉）',
  database: (warning) => `- **数据库：** ⚠ ${warning}`,
  modelUsage: '**模型用量（最近一小时）**',
  incidentOff: '关闭',
  incidentOn: '**开启**',
  by: (name) => `操作人 ${name}`,
  since: (at) => `开始于 ${at}`,
  endsIn: (soon) => `（${soon}结束）`,
  colSkill: '技能',
  colState: '状态',
  colRisk: '风险',
  colEgress: '出站目标',
  colBreaker: '熔断',
  on: '开启',
  off: (reason) => `关闭${reason ? `（${reason}）` : ''}`,
  paused: '已暂停（事故模式）',
  none: '无',
  skillsTitle: (on, off, paused) => `技能：${on} 个开启，${paused ? `${paused} 个因事故模式暂停，` : ''}${off} 个关闭`,
  skillsHeading: (on, off, paused) =>
    `### 技能（${on} 个开启，${paused ? `${paused} 个因事故模式暂停，` : ''}${off} 个关闭）`,
}

export const statusTexts = { en, 'zh-CN': zhCN }
