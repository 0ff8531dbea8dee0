import type { ReplyContent } from '../dingtalk/message-content.js'
import type { Texts } from '../i18n/catalogue.js'
import type { ApprovalRequest } from '../store/approvals.js'
import { isoSeconds } from '../time-text.js'

/** Renders stored args back as the operator would type them. */
function formatArgs(args: Record<string, unknown>): string {
  return Object.entries(args)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => {
      const text = typeof v === 'string' ? v : JSON.stringify(v)
      return `${k}=${/\s/.test(text) ? `"${text}"` : text}`
    })
    .join(' ')
}

/**
 * The request's command line as typed: `/enable-skill skill=ping`.
 * @example commandLine(request) // '/incident mode=off'
 */
export function commandLine(r: Pick<ApprovalRequest, 'command' | 'args'>): string {
  const args = formatArgs(r.args)
  return `/${r.command}${args ? ` ${args}` : ''}`
}

/** The approval request message in the admin group's language: command, requester, the literal `/approve <id>` line and the expiry. */
export function approvalRequestReply(
  r: ApprovalRequest,
  now: number,
  t: Texts['approval'],
  preview?: string,
): ReplyContent {
  const title = t.requestTitle(r.command)
  const lines = [
    `### ${title}`,
    t.requestLines(
      commandLine(r),
      r.requesterName,
      isoSeconds(r.expiresAt),
      r.expiresAt - now,
      r.id,
      fillInLink(`/approve ${r.id}`),
    ),
  ]
  if (preview) lines.push('', t.dryRun, preview)
  return { title, markdown: lines.join('\n') }
}

/**
 * A DingTalk client link that puts `text` into the chat's input box, ready to send (supported by the
 * DingTalk mobile and desktop clients; elsewhere the typed command still works).
 * @example fillInLink('/approve k3x9q2m7ta') // 'dtmd://dingtalkclient/sendMessage?content=%2Fapprove%20k3x9q2m7ta'
 */
function fillInLink(text: string): string {
  return `dtmd://dingtalkclient/sendMessage?content=${encodeURIComponent(text)}`
}
