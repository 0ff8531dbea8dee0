import type { TextsShape } from '../shape.js'

// Admin actions (skill on/off, incident mode, budgets): what the operator reads and what the admin
// conversations are told. Chat gets them in config.locale; routerctl prints the English ones (a CLI contract),
// while its announcements to the admin group are in config.locale like every other notice.

/** Who acted, for announcements: `requestedBy` is set for an approved request, `cli` for routerctl. */
type By = (name: string, requestedBy: string, cli: boolean) => string

const by: By = (name, requestedBy, cli) =>
  `by ${name}${requestedBy ? ` (requested by ${requestedBy})` : ''}${cli ? ' via routerctl (break-glass)' : ''}`

const en = {
  /** The title of every notice in the admin conversations (what the phone notification shows). */
  noticeTitle: 'Router notice',
  by,
  unknown: 'unknown',
  alreadySkill: (skill: string, enabled: boolean) => `"${skill}" is already ${enabled ? 'on' : 'off'}`,
  unknownSkill: (skill: string, known: string) => `No skill named "${skill}". Known skills: ${known}.`,
  skillToggled: (skill: string, enabled: boolean, who: string, why: string, version: number, approvalId: string) =>
    `Skill **${skill}** turned ${enabled ? 'ON' : 'OFF'} ${who}${why ? `: ${why}` : ''} (state v${version}${approvalId ? `, approval ${approvalId}` : ''}).`,
  skillOn: (skill: string, version: number) => `"${skill}" is on again (state v${version}).`,
  skillOff: (skill: string, version: number) =>
    `"${skill}" is off (state v${version}). Users get a "turned off" answer from the next message on. ` +
    `Turn it back on with /enable-skill ${skill} (needs a second operator).`,
  incidentAlreadyOff: 'incident mode is already off',
  incidentNotPastTtl: 'incident mode is not past its ttl',
  incidentOffNotice: (who: string, reason: string) =>
    `Incident mode OFF, turned off ${who}${reason ? `: "${reason}"` : ''}. Risky skills are back.`,
  incidentOffReply: (version: number) => `Incident mode is off (state v${version}). Risky skills are back.`,
  /** `ends` is ISO to the second, `ttl` the span from now in words (`30m`). */
  incidentOn: (extended: boolean, who: string, reason: string, ends: string, ttl: string) =>
    `Incident mode ${extended ? 'extended' : 'ON'} ${who}${reason ? `: "${reason}"` : ''}. Risky skills are paused; read-only answers continue. ` +
    `Ends ${ends} (in ${ttl}) unless /incident off comes first.`,
  incidentShorter: (ttl: string, ends: string, currentEnd: string) =>
    `ttl=${ttl} would end incident mode at ${ends}, before its current end at ${currentEnd}. ` +
    'While it is on, /incident on may only extend it; to end it sooner use /incident off (it needs a second operator).',
  incidentExpiredNotice: (turnedOnBy: string, at: string) =>
    `Incident mode OFF: its ttl ran out (turned on by ${turnedOnBy} at ${at}). Risky skills are back.`,
  incidentExpiredReply: 'Incident mode is off: its ttl ran out.',
  badTtl: (text: string) => `ttl=${text} is not a duration; use e.g. 30m, 4h or 1d.`,
  ttlTooShort: 'ttl must be at least 1m: expiry is checked once a minute.',
  ttlTooLong: (ttl: string, max: string) =>
    `ttl=${ttl} is longer than the allowed ${max} (incident.maxTtl). Turn it on again when it runs out.`,
  budgetSame: (route: string) => `the budget of ${route} already has those values`,
  deployRecorded: (digest: string, by: string, osUser: string, reason: string) =>
    `Deploy recorded: ${digest} by ${by} (routerctl, ${osUser})${reason ? `: ${reason}` : ''}`,
  enablePreview: (skill: string, by: string, reason: string) =>
    `"${skill}" is off now${by ? ` (turned off by ${by}${reason ? `: ${reason}` : ''})` : ''}; approving turns it on for every user.`,
  noEntry: (seq: number) => `No audit entry #${seq}. /review lists the ones waiting.`,
  notBreakGlass: (seq: number, actor: string, action: string) =>
    `#${seq} (${actor} ${action}) is not a break-glass action; only those need review.`,
  alreadyReviewed: (seq: number, by: string, at: string) => `#${seq} was already reviewed by ${by} at ${at}.`,
  reviewed: (seq: number, actor: string, action: string, by: string, left: number) =>
    `#${seq} (${actor}: ${action}) marked reviewed by ${by}. ${left === 0 ? 'Nothing else waits for review.' : `${left} left; see /review.`}`,
  /** `changes` is `context 4,000 → 8,000, tools 3 → 5`. */
  budgetChanged: (route: string, changes: string, who: string, version: number, reason: string) =>
    `Budget of **${route}**: ${changes} (${who}, state v${version})${reason ? `: ${reason}` : ''}.`,
}

const zhBy: By = (name, requestedBy, cli) =>
  `由 ${name}${requestedBy ? `（${requestedBy} 发起）` : ''}${cli ? ' 通过 routerctl（break-glass）' : ''}`

/** `由 alice 关闭`, but `由 bob（alice 发起）开启`: no space after a full-width bracket. */
export function zhThen(who: string): string {
  return who.endsWith('）') ? who : `${who} `
}

const zhCN: TextsShape<typeof en> = {
  noticeTitle: '路由器通知',
  by: zhBy,
  unknown: '未知',
  alreadySkill: (skill, enabled) => `“${skill}”已经是${enabled ? '开启' : '关闭'}状态`,
  unknownSkill: (skill, known) => `没有名为“${skill}”的技能。已有技能：${known}。`,
  skillToggled: (skill, enabled, who, why, version, approvalId) =>
    `技能 **${skill}** 已${zhThen(who)}${enabled ? '开启' : '关闭'}${why ? `：${why}` : ''}（状态 v${version}${approvalId ? `，审批 ${approvalId}` : ''}）。`,
  skillOn: (skill, version) => `“${skill}”已重新开启（状态 v${version}）。`,
  skillOff: (skill, version) =>
    `“${skill}”已关闭（状态 v${version}）。从下一条消息起，用户会收到“已关闭”的回复。` +
    `重新开启请发送 /enable-skill ${skill}（需要另一位值班人员批准）。`,
  incidentAlreadyOff: '事故模式已经是关闭状态',
  incidentNotPastTtl: '事故模式尚未到期',
  incidentOffNotice: (who, reason) =>
    `事故模式已${zhThen(who)}关闭${reason ? `：“${reason}”` : ''}。高风险技能已恢复。`,
  incidentOffReply: (version) => `事故模式已关闭（状态 v${version}）。高风险技能已恢复。`,
  incidentOn: (extended, who, reason, ends, ttl) =>
    `事故模式已${zhThen(who)}${extended ? '延长' : '开启'}${reason ? `：“${reason}”` : ''}。高风险技能已暂停，只读回答照常。` +
    `将于 ${ends}（${ttl}后）结束，除非先执行 /incident off。`,
  incidentShorter: (ttl, ends, currentEnd) =>
    `ttl=${ttl} 会让事故模式在 ${ends} 结束，早于当前的结束时间 ${currentEnd}。` +
    '开启期间 /incident on 只能延长；要提前结束请用 /incident off（需要另一位值班人员批准）。',
  incidentExpiredNotice: (turnedOnBy, at) => `事故模式已到期关闭（由 ${turnedOnBy} 于 ${at} 开启）。高风险技能已恢复。`,
  incidentExpiredReply: '事故模式已到期关闭。',
  badTtl: (text) => `ttl=${text} 不是有效时长，请用 30m、4h 或 1d 这样的写法。`,
  ttlTooShort: 'ttl 至少为 1m：到期检查每分钟一次。',
  ttlTooLong: (ttl, max) => `ttl=${ttl} 超过了允许的上限 ${max}（incident.maxTtl）。到期后可再次开启。`,
  budgetSame: (route) => `${route} 的预算已经是这些值`,
  deployRecorded: (digest, by, osUser, reason) =>
    `已记录部署：${digest}，部署人 ${by}（routerctl，${osUser}）${reason ? `：${reason}` : ''}`,
  enablePreview: (skill, by, reason) =>
    `“${skill}”目前已关闭${by ? `（由 ${by} 关闭${reason ? `：${reason}` : ''}）` : ''}；批准后将对所有用户开启。`,
  noEntry: (seq) => `没有审计记录 #${seq}。发送 /review 查看待复核的记录。`,
  notBreakGlass: (seq, actor, action) => `#${seq}（${actor} ${action}）不是 break-glass 操作，只有这类操作需要复核。`,
  alreadyReviewed: (seq, by, at) => `#${seq} 已由 ${by} 于 ${at} 复核。`,
  reviewed: (seq, actor, action, by, left) =>
    `#${seq}（${actor}：${action}）已由 ${by} 标记为已复核。${left === 0 ? '没有其他待复核的操作。' : `还剩 ${left} 条，见 /review。`}`,
  budgetChanged: (route, changes, who, version, reason) =>
    `**${route}** 的预算：${changes}（${who}，状态 v${version}）${reason ? `：${reason}` : ''}。`,
}

export const actionsTexts = { en, 'zh-CN': zhCN }
