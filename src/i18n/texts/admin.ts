import type { TextsShape } from '../shape.js'

// Admin command replies: the runner's own answers, /help, /whoami, /pending, /audit, /review.
// Command names, `key=value` words, audit outcome words and ids stay literal in every language.

const en = {
  usage: (usage: string) => `Usage: ${usage}`,
  /** A `/command` line the parser or the command's schema refused; `problem` is the schema's own words. */
  unreadableCommand: (error: string) => `Could not read that command: ${error}.`,
  unknownCommand: (name: string) => `Unknown command /${name}. Type /help for the list.`,
  badArguments: (usage: string, problem: string) => `Usage: ${usage}\n(${problem || 'invalid arguments'})`,
  /** A command schema's own message (`expected a duration like 30m, 4h or 1d`), written in English in commands/. */
  argumentProblem: (english: string) => english,
  failed: (command: string, error: string) => `/${command} failed: ${error}`,
  auditNotRun: (error: string, command: string) =>
    `The audit trail could not be written (${error}), so /${command} was NOT run.`,
  auditWithheld: (error: string, command: string) =>
    `The audit trail could not be written (${error}), so the answer to /${command} is withheld.`,
  nothingChanged: (reason: string) => `Nothing changed: ${reason}.`,
  actionFailed: (command: string, reason: string) => `/${command} failed, nothing changed: ${reason}`,
  /** A command's line in /help: its English `description` is the source; other languages look it up by name. */
  description: (_command: string, english: string) => english,
  helpTitle: 'Admin commands',
  helpFooter: 'Arguments: `<required>` `[optional]`; `key=value` sets a named one; quote words with spaces.',
  needsSecond: 'needs a second operator',
  widenNarrow: 'second operator to widen, instant to narrow',
  approvalNote: (_command: string, english: string) => english,
  whoamiTitle: (name: string) => `You are ${name}`,
  whoamiLines: (name: string, staffId: string, conversationId: string, channel: string) =>
    [
      '### Who the router sees',
      `- **Operator:** ${name}`,
      `- **staffId:** ${staffId}`,
      `- **Conversation:** ${conversationId} (an admin conversation)`,
      `- **Channel:** ${channel}`,
      '',
      "You may command the router because your staffId is an operator's AND you wrote in an admin conversation. " +
        "DingTalk's isAdmin flag and display names grant nothing.",
    ].join('\n'),
  noPending: 'No approval requests are open.',
  pendingTitle: (n: number) => `${n} pending approval(s)`,
  pendingHeading: (n: number) => `### Pending approvals (${n})`,
  /** One open request; `approve` is the literal `/approve <id>`, `command` the `/command args` line. */
  pendingLine: (approve: string, command: string, requester: string, expiresIn: string, expiresAt: string) =>
    `- \`${approve}\` — \`${command}\` by ${requester}, expires in ${expiresIn} (${expiresAt})`,
  pendingTampered: ' · **TAMPERED: cannot be approved**',
  pendingFooter: 'A different operator than the requester approves; anyone may /deny.',
  auditWhat: (withoutRefusals: boolean) => (withoutRefusals ? 'operator and system entries' : 'audit entries'),
  auditHeading: (n: number, what: string, filter: string) => `Last ${n} ${what}${filter ? ` (${filter})` : ''}`,
  auditNone: (what: string, filter: string) => `No ${what}${filter ? ` match ${filter}` : ''}.`,
  auditHidden: (entries: number, attempts: number) =>
    `Not shown: ${entries} entr${entries === 1 ? 'y' : 'ies'} of refused commands by non-operators (${attempts} attempt${attempts === 1 ? '' : 's'}); /audit all lists them.`,
  reviewNone: 'No break-glass actions are waiting for review.',
  reviewTitle: (n: number) => `${n} break-glass action(s) to review`,
  osUser: (user: string) => ` (os user ${user})`,
  via: (channel: string) => `via ${channel}`,
  reviewMore: (n: number) => `- … and ${n} more`,
  reviewFooter: 'Mark one reviewed with: /review ack <seq>',
}

/** The /help line of every built-in command; a command without one here shows its English description. */
const DESCRIPTIONS_ZH: Record<string, string> = {
  help: '你可以运行的管理命令，以及哪些需要另一位值班人员批准',
  whoami: '路由器识别到的你的身份',
  status: '版本、运行时长、Stream 连接、事故模式、技能、错误率、待审批',
  skills: '所有技能及其状态、风险、出站目标和熔断状态',
  'disable-skill': '立即关闭一个技能（下一条消息起生效）',
  'enable-skill': '重新开启一个技能',
  budget: '查看或设置某个路由的 token、诊断和工具调用预算',
  approve: '批准另一位值班人员的待审批请求，立即执行且只执行一次',
  deny: '拒绝一个待审批请求（任何值班人员均可，发起人也可借此撤回）',
  pending: '待审批请求及其过期时间',
  audit: '最近 n 条审计记录（默认 10，最多 50），最新在前；不加 "all" 时只列值班人员和系统的操作',
  review: '尚未复核的 break-glass（routerctl）操作；`ack <seq>` 标记一条为已复核',
  incident: '事故模式：暂停高风险技能，由只读兜底回答',
  diag: '已存储错误事件的简短汇总，受该路由诊断预算限制',
  rollback: '恢复某个运行时配置版本或回滚发布（先预演，需另一位值班人员批准）',
  runbook: '就绪状态、近期错误率、运行中的 digest 与最近部署、最近 known-good、出站连通性',
}

/** The messages the built-in commands' schemas give; zod's own generic messages stay as zod words them. */
const ARGUMENT_PROBLEMS_ZH: Record<string, string> = {
  'expected "all" and/or a number': '应为 "all" 和/或一个数字',
  'a whole number': '应为整数',
  'name the route to change': '请指定要修改的路由',
  'expected a duration like 30m, 4h or 1d': '应为 30m、4h 或 1d 这样的时长',
  'ttl= goes with /incident on only': 'ttl= 只能与 /incident on 一起使用',
  'to mark one reviewed: /review ack <seq>': '标记一条为已复核：/review ack <seq>',
  'say config or release first': '请先写 config 或 release',
  'a config version is a number, e.g. 12': '配置版本是数字，例如 12',
  'not a digest': '不是 digest',
}

const APPROVAL_NOTES_ZH: Record<string, string> = {
  'enable-skill': '需要另一位值班人员批准',
  incident: 'off 需要另一位值班人员批准；开启期间 on 只能延长',
}

const zhCN: TextsShape<typeof en> = {
  usage: (usage) => `用法：${usage}`,
  unreadableCommand: (error) => `无法解析这条命令：${error}。`,
  unknownCommand: (name) => `未知命令 /${name}。发送 /help 查看命令列表。`,
  badArguments: (usage, problem) => `用法：${usage}\n（${problem || '参数无效'}）`,
  argumentProblem: (english) => ARGUMENT_PROBLEMS_ZH[english] ?? english,
  failed: (command, error) => `/${command} 执行失败：${error}`,
  auditNotRun: (error, command) => `审计记录无法写入（${error}），因此【未执行】 /${command}。`,
  auditWithheld: (error, command) => `审计记录无法写入（${error}），因此不返回 /${command} 的结果。`,
  nothingChanged: (reason) => `未做任何改动：${reason}。`,
  actionFailed: (command, reason) => `/${command} 执行失败，未做任何改动：${reason}`,
  description: (command, english) => DESCRIPTIONS_ZH[command] ?? english,
  helpTitle: '管理命令',
  helpFooter: '参数：`<必填>` `[可选]`；`key=value` 设置具名参数；含空格的内容请加引号。',
  needsSecond: '需要另一位值班人员批准',
  widenNarrow: '放宽需另一位值班人员批准，收紧立即生效',
  approvalNote: (command, english) => APPROVAL_NOTES_ZH[command] ?? english,
  whoamiTitle: (name) => `你是 ${name}`,
  whoamiLines: (name, staffId, conversationId, channel) =>
    [
      '### 路由器识别到的身份',
      `- **值班人员：** ${name}`,
      `- **staffId：** ${staffId}`,
      `- **会话：** ${conversationId}（管理群）`,
      `- **渠道：** ${channel}`,
      '',
      '你能操作路由器，是因为你的 staffId 属于值班人员，并且你在管理群中发言。钉钉的 isAdmin 标记和显示名称不授予任何权限。',
    ].join('\n'),
  noPending: '当前没有待审批的请求。',
  pendingTitle: (n) => `${n} 个待审批请求`,
  pendingHeading: (n) => `### 待审批（${n}）`,
  pendingLine: (approve, command, requester, expiresIn, expiresAt) =>
    `- \`${approve}\` — \`${command}\`，${requester} 发起，${expiresIn}后过期（${expiresAt}）`,
  pendingTampered: ' · **已被篡改：无法批准**',
  pendingFooter: '需由发起人以外的值班人员批准；任何人都可以 /deny。',
  auditWhat: (withoutRefusals) => (withoutRefusals ? '条值班人员和系统记录' : '条审计记录'),
  auditHeading: (n, what, filter) => `最近 ${n} ${what}${filter ? `（${filter}）` : ''}`,
  auditNone: (what, filter) => `没有${filter ? `符合 ${filter} 的` : ''}${what.replace(/^条/, '')}。`,
  auditHidden: (entries, attempts) =>
    `未显示：非值班人员被拒绝的命令 ${entries} 条（共 ${attempts} 次尝试）；发送 /audit all 查看。`,
  reviewNone: '没有待复核的 break-glass 操作。',
  reviewTitle: (n) => `${n} 个 break-glass 操作待复核`,
  osUser: (user) => `（系统用户 ${user}）`,
  via: (channel) => `经由 ${channel}`,
  reviewMore: (n) => `- …… 另有 ${n} 条`,
  reviewFooter: '标记一条为已复核：/review ack <seq>',
}

export const adminTexts = { en, 'zh-CN': zhCN }
