import type { ReplyContent } from '../dingtalk/message-content.js'
import { formatDuration } from '../duration.js'
import type { ApprovalRequest } from '../store/approvals.js'
import { isoSeconds } from '../time-text.js'

/** Renders stored args back as the operator would type them. */
export function formatArgs(args: Record<string, unknown>): string {
  return Object.entries(args)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => {
      const text = typeof v === 'string' ? v : JSON.stringify(v)
      return `${k}=${/\s/.test(text) ? `"${text}"` : text}`
    })
    .join(' ')
}

/** The approval request message: command, requester, the `/approve <id>` line and the expiry. */
export function approvalRequestReply(r: ApprovalRequest, now: number, preview?: string): ReplyContent {
  const expires = isoSeconds(r.expiresAt)
  const lines = [
    `### Approval needed: /${r.command}`,
    `- **Command:** \`/${r.command} ${formatArgs(r.args)}\``.replace(/ `$/, '`'),
    `- **Requested by:** ${r.requesterName}`,
    `- **Expires:** ${expires} (in ${formatDuration(r.expiresAt - now)})`,
    '',
    `A second operator approves with: /approve ${r.id}`,
    '',
    `[Tap to fill in the approval](${fillInLink(`/approve ${r.id}`)})`,
    '',
    `or refuses with: /deny ${r.id}`,
  ]
  if (preview) lines.push('', '**Dry run:**', preview)
  return { title: `Approval needed: /${r.command}`, markdown: lines.join('\n') }
}

/**
 * A DingTalk client link that puts `text` into the chat's input box, ready to send (supported by the
 * DingTalk mobile and desktop clients; elsewhere the typed command still works).
 * @example fillInLink('/approve k3x9q2m7ta') // 'dtmd://dingtalkclient/sendMessage?content=%2Fapprove%20k3x9q2m7ta'
 */
function fillInLink(text: string): string {
  return `dtmd://dingtalkclient/sendMessage?content=${encodeURIComponent(text)}`
}
