import type { TextsShape } from '../shape.js'
import { zhThen } from './actions.js'

// /rollback config|release and routerctl rollback: dry runs, refusals, replies and announcements.
// Versions (`v12`), digests, request numbers and file names stay literal.

const en = {
  /** Why this target was picked; the English words are also what the audit entry records. */
  why: (english: string) => english,
  configHead: (target: number, why: string, current: number) =>
    `Restore config v${target} (${why}) over the current v${current}, as a new version.`,
  configSame: 'No setting differs: nothing would change.',
  configEquals: (target: number, current: number) => `config v${target} equals the current v${current}`,
  neverChanged: 'The runtime config has never changed (version 0): there is nothing to roll back.',
  /** How to name a config version where the operator is: chat or routerctl. */
  nameVersion: (routerctl: boolean) =>
    routerctl ? 'routerctl rollback config --version <n>' : '`/rollback config <version>`',
  noKnownGoodConfig: (current: number, nameIt: string) =>
    `No config version is known-good: no release has been marked known-good yet, so there is no default target to restore over the current v${current}. Name the version to restore: ${nameIt}.`,
  currentIsKnownGood: (current: number, digest: string, nameIt: string) =>
    `The current config v${current} is the known-good one (recorded when release ${digest} was marked known-good), so there is nothing known-good to go back to. To restore another version anyway, name it: ${nameIt}.`,
  noVersion: (target: number, current: number) =>
    `There is no config version ${target}; the current one is v${current}.`,
  unattested: (target: number) =>
    `Config v${target} was written outside the audit trail (no audit entry commits to it), so it is not a rollback target.`,
  configRestoredNotice: (
    target: number,
    as: number,
    who: string,
    was: number,
    reason: string,
    why: string,
    changes: string,
  ) =>
    `Config v${target} restored as v${as} ${who} (was v${was})${reason ? `: ${reason}` : ''}. Target: ${why}. ${changes}`,
  configRestored: (target: number, as: number, was: number, why: string) =>
    `Restored config v${target} as the new v${as} (was v${was}). Target chosen: ${why}.`,
  staleConfig: (marks: boolean) =>
    `stale: the ${marks ? 'known-good marks' : 'config'} changed after this rollback was requested, so its dry run is out of date. Run /rollback config again.`,
  staleRelease:
    'stale: a deploy or a known-good mark happened after this rollback was requested, so its dry run is out of date. Run /rollback release again.',
  notDigest: (digest: string) => `"${digest}" is not a digest.`,
  neverDeployed: (digest: string, recent: string) =>
    `${digest} was never deployed here, so it is not a rollback target. Recent: ${recent}.`,
  noneRecorded: 'none recorded',
  alreadyRunning: (digest: string) => `${digest} is the running release already.`,
  noKnownGood: (recent: string) =>
    `No known-good release other than the running one; name a digest. Recent: ${recent}.`,
  releaseHead: (running: string, digest: string, why: string) =>
    `Roll back the release from ${running} to ${digest} (${why}).`,
  writesDesired: (file: string) => `- writes the desired release (SQLite and ${file})`,
  runsHook: (hook: string, timeout: string) => `- runs the hook \`${hook}\` (no shell, timeout ${timeout})`,
  noHook: '- no hook configured: the host reconciler applies it on its next run',
  releaseRequestedNotice: (digest: string, who: string, was: string, why: string) =>
    `Release rollback to ${digest} requested ${who} (was ${was}, ${why}); handing it to the host.`,
  releaseRecorded: (digest: string, id: number) => `Release rollback to ${digest} recorded as request #${id}.`,
  handOffFailedNotice: (digest: string, error: string) =>
    `Release rollback to ${digest} FAILED at the hand-off: ${error}.`,
  failed: 'failed',
  noHookSummary: (digest: string, id: number, file: string) =>
    `Release rollback to ${digest} recorded (request #${id}). No hook is configured: the host reconciler applies ${file} on its next run.`,
  handedOff: (digest: string, id: number, took: string) =>
    `Release rollback to ${digest} handed off (request #${id}): the hook exited 0 in ${took}.`,
  timedOut: (after: string) => `timed out after ${after}`,
  hookFailed: (digest: string, why: string, file: string, id: number) =>
    `Release rollback to ${digest} FAILED: the hook ${why}. Nothing else changed: ${file} is as it was and request #${id} is marked failed.`,
  hookLine: (line: string) => `Hook: ${line}`,
  options: (digest: string, version: number) => `Running ${digest}; runtime config v${version}.`,
  configOption: (target: number, why: string, differ: number) => `v${target} (${why}, ${differ} setting(s) differ)`,
  bothNeedApproval: 'Both show a dry run and need a second operator.',
}

const WHY_ZH: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^as asked$/, () => '按指定'],
  [/^as you named it$/, () => '按你指定的版本'],
  [/^the config of known-good release (\S+), marked (\S+)$/, (m) => `known-good 发布 ${m[1]} 的配置（标记于 ${m[2]}）`],
  [/^last known-good, since (.+)$/, (m) => `最近的 known-good，自 ${m[1]} 起`],
]

const zhCN: TextsShape<typeof en> = {
  why: (english) => {
    for (const [re, say] of WHY_ZH) {
      const m = re.exec(english)
      if (m) return say(m)
    }
    return english
  },
  configHead: (target, why, current) => `将配置 v${target}（${why}）作为新版本覆盖当前的 v${current}。`,
  configSame: '没有任何设置不同：不会有改动。',
  configEquals: (target, current) => `配置 v${target} 与当前的 v${current} 相同`,
  neverChanged: '运行时配置从未改动过（版本 0），没有可回滚的内容。',
  nameVersion: (routerctl) => (routerctl ? 'routerctl rollback config --version <n>' : '`/rollback config <版本号>`'),
  noKnownGoodConfig: (current, nameIt) =>
    `没有 known-good 的配置版本：还没有任何发布被标记为 known-good，因此没有可恢复的默认目标（当前为 v${current}）。请指定要恢复的版本：${nameIt}。`,
  currentIsKnownGood: (current, digest, nameIt) =>
    `当前配置 v${current} 就是 known-good 版本（发布 ${digest} 被标记为 known-good 时记录），没有别的 known-good 配置可恢复。如仍要恢复其他版本，请指定：${nameIt}。`,
  noVersion: (target, current) => `没有配置版本 ${target}；当前版本是 v${current}。`,
  unattested: (target) => `配置 v${target} 是在审计记录之外写入的（没有审计记录对应），不能作为回滚目标。`,
  configRestoredNotice: (target, as, who, was, reason, why, changes) =>
    `配置 v${target} 已${zhThen(who)}恢复为 v${as}（原为 v${was}）${reason ? `：${reason}` : ''}。目标来源：${why}。${changes}`,
  configRestored: (target, as, was, why) => `已将配置 v${target} 恢复为新的 v${as}（原为 v${was}）。目标来源：${why}。`,
  staleConfig: (marks) =>
    `已过时：发起回滚后${marks ? ' known-good 标记' : '配置'}又有变化，预演结果已失效。请重新执行 /rollback config。`,
  staleRelease: '已过时：发起回滚后又有部署或 known-good 标记，预演结果已失效。请重新执行 /rollback release。',
  notDigest: (digest) => `“${digest}”不是 digest。`,
  neverDeployed: (digest, recent) => `${digest} 从未在这里部署过，不能作为回滚目标。最近的：${recent}。`,
  noneRecorded: '暂无记录',
  alreadyRunning: (digest) => `${digest} 已经是正在运行的版本。`,
  noKnownGood: (recent) => `除正在运行的版本外没有 known-good 版本，请指定 digest。最近的：${recent}。`,
  releaseHead: (running, digest, why) => `将发布从 ${running} 回滚到 ${digest}（${why}）。`,
  writesDesired: (file) => `- 写入目标发布（SQLite 和 ${file}）`,
  runsHook: (hook, timeout) => `- 运行 hook \`${hook}\`（不经 shell，超时 ${timeout}）`,
  noHook: '- 未配置 hook：由主机上的 reconciler 在下次运行时应用',
  releaseRequestedNotice: (digest, who, was, why) =>
    `已${zhThen(who)}发起发布回滚到 ${digest}（原为 ${was}，${why}），正在交给主机处理。`,
  releaseRecorded: (digest, id) => `发布回滚到 ${digest} 已记录为请求 #${id}。`,
  handOffFailedNotice: (digest, error) => `发布回滚到 ${digest} 在交接时【失败】：${error}。`,
  failed: '失败',
  noHookSummary: (digest, id, file) =>
    `发布回滚到 ${digest} 已记录（请求 #${id}）。未配置 hook：主机上的 reconciler 会在下次运行时应用 ${file}。`,
  handedOff: (digest, id, took) => `发布回滚到 ${digest} 已交接（请求 #${id}）：hook 在 ${took}内以 0 退出。`,
  timedOut: (after) => `在 ${after}后超时`,
  hookFailed: (digest, why, file, id) =>
    `发布回滚到 ${digest} 【失败】：hook ${why}。其他均未改动：${file} 保持原样，请求 #${id} 已标记为失败。`,
  hookLine: (line) => `Hook：${line}`,
  options: (digest, version) => `正在运行 ${digest}；运行时配置 v${version}。`,
  configOption: (target, why, differ) => `v${target}（${why}，${differ} 项设置不同）`,
  bothNeedApproval: '两者都会先显示预演，并需要另一位值班人员批准。',
}

export const rollbackTexts = { en, 'zh-CN': zhCN }
