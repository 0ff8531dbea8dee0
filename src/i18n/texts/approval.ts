import type { TextsShape } from '../shape.js'
import { timeTexts } from './time.js'

// Approval requests and their decisions: the markdown request, the card, and what the decider reads.
// `/approve <id>` and `/deny <id>` stay literal in every language: they are what the approver types.

const enTime = timeTexts.en
const zhTime = timeTexts['zh-CN']

const en = {
  /** The request as one line, for replies and notices: `command` is `/enable-skill skill=ping`. */
  describe: (command: string, requester: string) => `${command} by ${requester}`,
  requestTitle: (command: string) => `Approval needed: /${command}`,
  /** The markdown request: `command` is the full `/command args` line, `expires` ISO to the second. */
  requestLines: (command: string, requester: string, expires: string, inMs: number, id: string, link: string) =>
    [
      `- **Command:** \`${command}\``,
      `- **Requested by:** ${requester}`,
      `- **Expires:** ${expires} (${enTime.in(inMs)})`,
      '',
      `A second operator approves with: /approve ${id}`,
      '',
      `[Tap to fill in the approval](${link})`,
      '',
      `or refuses with: /deny ${id}`,
    ].join('\n'),
  dryRun: '**Dry run:**',
  /** The card's body, above its buttons. */
  cardLines: (command: string, requester: string, expires: string, id: string) =>
    [
      `**Command:** \`${command}\``,
      `**Requested by:** ${requester}`,
      `**Expires:** ${expires}`,
      '',
      `Typing works too: /approve ${id} or /deny ${id}`,
    ].join('\n'),
  someone: 'someone',
  cardPending: (expires: string) => `Waiting for a second operator until ${expires}`,
  cardApproved: (by: string, at: string) => `Approved by ${by}${at ? ` at ${at}` : ''}`,
  cardDenied: (by: string, at: string) => `Denied by ${by}${at ? ` at ${at}` : ''}`,
  cardExpired: (expires: string) => `Expired at ${expires}; nothing ran`,
  cardTampered: (id: string) =>
    `A button press on the card for request ${id} carried data the router did not sign. Refused; nothing ran.`,
  cardNoCommand: (verb: string) => `/${verb} is not available in this router; nothing ran. The request stays open.`,
  /** A press refused because the router cannot tell whether the presser is of its org. */
  cardNeedsCorp: (id: string) =>
    `Card buttons cannot be checked against this organisation until DINGTALK_CORP_ID is set, so the press was refused and nothing ran. Type /approve ${id} or /deny ${id} instead.`,
  /** The reply to an approval whose action committed. */
  approvedTitle: (command: string) => `Approved: /${command}`,
  approvedHeading: (request: string) => `### Approved: ${request}`,
  approvedBy: (name: string, id: string) => `- **Approved by:** ${name} · **id:** ${id}`,
  approvedNotRun: (why: string) => `Approved, but NOT run: ${why}`,
  notRunArgs: (usage: string) => `the stored arguments no longer fit ${usage}`,
  notRunNoAction: (command: string) => `/${command} has no action in this version of the router`,
  approvedElsewhere: (id: string, request: string, by: string, result: string) =>
    `Request ${id} (${request}) was approved by ${by} in another admin conversation. Result: ${result}`,
  deniedElsewhere: (id: string, request: string, by: string) => `Request ${id} (${request}) was denied by ${by}.`,
  denied: (id: string, request: string) => `Denied ${id} (${request}). Nothing ran.`,
  refused: 'Refused.',
  notAnOperator: 'Only an operator can decide approval requests.',
  requesterGone: (id: string, request: string, requester: string) =>
    `Request ${id} (${request}) cannot be approved: ${requester} is no longer an operator. It has expired; nothing ran.`,
  unknown: (id: string) => `No approval request "${id}". /pending lists the open ones.`,
  selfApproval: (id: string) =>
    `You requested ${id} yourself; a different operator must approve it. (You may /deny ${id} to withdraw it.)`,
  expired: (id: string, request: string, at: string) =>
    `Request ${id} (${request}) expired at ${at}; nothing ran. Ask again if it is still needed.`,
  /** `status` is the stored word (`approved`, `denied`, `expired`); `kind` the attempted decision. */
  alreadyDecided: (id: string, request: string, status: string, by: string, at: string, kind: 'approved' | 'denied') =>
    `Request ${id} (${request}) was already ${status} by ${by}${at ? ` at ${at}` : ''}; it cannot be ${kind} again.`,
  tampered: (id: string) =>
    `Request ${id} does not match what was signed: its stored row was changed. Refused; nothing ran. Check /audit and the database.`,
  /** The expiry job's notices to the admin conversations. */
  expiredUnanswered: (id: string, command: string, requester: string) =>
    `Approval ${id} for /${command} (requested by ${requester}) expired unanswered.`,
  expiredOrphan: (id: string, command: string, requester: string, staffId: string) =>
    `Approval ${id} for /${command} expired: requester ${requester} (${staffId}) is no longer an operator.`,
}

const STATUS_ZH: Record<string, string> = { approved: '批准', denied: '拒绝', expired: '过期' }

const zhCN: TextsShape<typeof en> = {
  describe: (command, requester) => `${requester} 发起的 ${command}`,
  requestTitle: (command) => `待审批：/${command}`,
  requestLines: (command, requester, expires, inMs, id, link) =>
    [
      `- **命令：** \`${command}\``,
      `- **发起人：** ${requester}`,
      `- **过期时间：** ${expires}（${zhTime.in(inMs)}）`,
      '',
      `另一位值班人员批准请发送：/approve ${id}`,
      '',
      `[点此填入批准命令](${link})`,
      '',
      `拒绝请发送：/deny ${id}`,
    ].join('\n'),
  dryRun: '**预演结果：**',
  cardLines: (command, requester, expires, id) =>
    [
      `**命令：** \`${command}\``,
      `**发起人：** ${requester}`,
      `**过期时间：** ${expires}`,
      '',
      `也可以直接发送：/approve ${id} 或 /deny ${id}`,
    ].join('\n'),
  someone: '某人',
  cardPending: (expires) => `等待另一位值班人员审批，截止 ${expires}`,
  cardApproved: (by, at) => `已由 ${by} 批准${at ? `（${at}）` : ''}`,
  cardDenied: (by, at) => `已由 ${by} 拒绝${at ? `（${at}）` : ''}`,
  cardExpired: (expires) => `已于 ${expires} 过期，未执行任何操作`,
  cardTampered: (id) => `请求 ${id} 的卡片按钮携带了未经路由器签名的数据，已拒绝，未执行任何操作。`,
  cardNoCommand: (verb) => `此路由器不支持 /${verb}，未执行任何操作，请求仍待处理。`,
  cardNeedsCorp: (id) =>
    `未设置 DINGTALK_CORP_ID，无法确认按卡片按钮的人是否属于本组织，已拒绝，未执行任何操作。请改为输入 /approve ${id} 或 /deny ${id}。`,
  approvedTitle: (command) => `已批准：/${command}`,
  approvedHeading: (request) => `### 已批准：${request}`,
  approvedBy: (name, id) => `- **批准人：** ${name} · **id：** ${id}`,
  approvedNotRun: (why) => `已批准，但【未执行】：${why}`,
  notRunArgs: (usage) => `保存的参数已不符合 ${usage}`,
  notRunNoAction: (command) => `当前版本的路由器中 /${command} 没有可执行的操作`,
  approvedElsewhere: (id, request, by, result) =>
    `请求 ${id}（${request}）已由 ${by} 在另一个管理群批准。结果：${result}`,
  deniedElsewhere: (id, request, by) => `请求 ${id}（${request}）已被 ${by} 拒绝。`,
  denied: (id, request) => `已拒绝 ${id}（${request}），未执行任何操作。`,
  refused: '已拒绝。',
  notAnOperator: '只有值班人员才能审批请求。',
  requesterGone: (id, request, requester) =>
    `请求 ${id}（${request}）无法批准：${requester} 已不再是值班人员。该请求已过期，未执行任何操作。`,
  unknown: (id) => `没有审批请求“${id}”。发送 /pending 查看待审批列表。`,
  selfApproval: (id) => `${id} 是你自己发起的，必须由另一位值班人员批准。（可发送 /deny ${id} 撤回。）`,
  expired: (id, request, at) => `请求 ${id}（${request}）已于 ${at} 过期，未执行任何操作。如仍需要，请重新发起。`,
  alreadyDecided: (id, request, status, by, at, kind) =>
    `请求 ${id}（${request}）已被 ${by}${STATUS_ZH[status] ?? status}${at ? `（${at}）` : ''}，不能再次${STATUS_ZH[kind]}。`,
  tampered: (id) => `请求 ${id} 与签名内容不符：其存储记录已被改动。已拒绝，未执行任何操作。请检查 /audit 和数据库。`,
  expiredUnanswered: (id, command, requester) => `审批 ${id}（/${command}，${requester} 发起）无人处理，已过期。`,
  expiredOrphan: (id, command, requester, staffId) =>
    `审批 ${id}（/${command}）已过期：发起人 ${requester}（${staffId}）已不再是值班人员。`,
}

export const approvalTexts = { en, 'zh-CN': zhCN }
