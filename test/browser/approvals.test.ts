import { describe, expect, it } from 'vitest'
import { approvalRequestReply } from '../../src/admin/approval-text.js'
import { textsFor } from '../../src/i18n/catalogue.js'
import type { TranscriptEntry } from '../../src/simulator/chat/transcript.js'
import { pendingApprovals } from '../../src/simulator/chat/public/approvals.js'
import type { ApprovalRequest } from '../../src/store/approvals.js'

const NOW = Date.UTC(2025, 0, 1, 12)
let seq = 0

function request(id: string, expiresAt = NOW + 15 * 60_000): ApprovalRequest {
  return {
    id,
    command: 'enable-skill',
    args: { skill: 'ping' },
    argsHash: '',
    requester: 'op1',
    requesterName: 'alice',
    conversationId: 'cid-ops',
    createdAt: NOW,
    expiresAt,
    status: 'pending',
    decidedBy: null,
    decidedAt: null,
    signature: '',
  }
}

/** An operator's message in the ops group. */
function said(text: string, msgId = `m${++seq}`): TranscriptEntry {
  return {
    type: 'message',
    id: ++seq,
    at: NOW,
    msgId,
    conversationId: 'cid-ops',
    conversationType: '2',
    senderStaffId: 'op2',
    senderNick: 'bob',
    msgtype: 'text',
    text,
  }
}

/** The bot's answer to `to` (a webhook reply), or a proactive group send when `to` is undefined. */
function bot(text: string, to?: TranscriptEntry): TranscriptEntry {
  const msgId = to?.type === 'message' ? to.msgId : undefined
  return {
    type: 'reply',
    id: ++seq,
    at: NOW,
    kind: msgId ? 'webhook' : 'group',
    msgId,
    conversationId: 'cid-ops',
    msgtype: 'markdown',
    text,
  }
}

function asked(r: ApprovalRequest): TranscriptEntry {
  const reply = approvalRequestReply(r, NOW, textsFor('en').approval)
  return bot(typeof reply === 'string' ? reply : reply.markdown, said('/enable-skill ping'))
}

describe('pendingApprovals (derived from the chat only)', () => {
  it('reads command, requester, conversation and expiry from an approval request', () => {
    expect(pendingApprovals([asked(request('k3x9q2m7ta'))], NOW)).toEqual([
      {
        id: 'k3x9q2m7ta',
        conversationId: 'cid-ops',
        at: NOW,
        command: '/enable-skill skill=ping',
        requester: 'alice',
        expiresAt: NOW + 15 * 60_000,
      },
    ])
  })

  it('closes a request when the reply to its /approve or /deny reports the decision', () => {
    const approve = said('/approve k3x9q2m7ta')
    expect(
      pendingApprovals(
        [asked(request('k3x9q2m7ta')), approve, bot('### Approved: /enable-skill skill=ping by alice', approve)],
        NOW,
      ),
    ).toEqual([])
    const deny = said('/deny k3x9q2m7ta')
    expect(pendingApprovals([asked(request('k3x9q2m7ta')), deny, bot('Denied.', deny)], NOW)).toEqual([])
  })

  it('keeps it open when the attempt is refused (own request, not an operator)', () => {
    const self = said('/approve k3x9q2m7ta')
    const stranger = said('/approve k3x9q2m7ta')
    const entries = [
      asked(request('k3x9q2m7ta')),
      self,
      bot(
        'You requested k3x9q2m7ta yourself; a different operator must approve it. (You may /deny k3x9q2m7ta to withdraw it.)',
        self,
      ),
      stranger,
      bot('Sorry, that command is not available here.', stranger),
    ]
    expect(pendingApprovals(entries, NOW).map((r) => r.id)).toEqual(['k3x9q2m7ta'])
  })

  it('closes on expiry, on a notice naming the id, and follows the /pending list', () => {
    expect(pendingApprovals([asked(request('aaaa1111', NOW - 1))], NOW)).toEqual([])
    expect(
      pendingApprovals(
        [
          asked(request('aaaa1111')),
          bot('Request aaaa1111 (/enable-skill) was approved by bob in another admin conversation.'),
        ],
        NOW,
      ),
    ).toEqual([])
    const list = said('/pending')
    const entries = [
      asked(request('aaaa1111')),
      asked(request('bbbb2222')),
      list,
      bot(
        '### Pending approvals (1)\n- `/approve cccc3333` — `/enable-skill skill=help` by carol, expires in 9m (2025-01-01T12:09:00Z)',
        list,
      ),
    ]
    expect(pendingApprovals(entries, NOW)).toEqual([
      {
        id: 'cccc3333',
        conversationId: 'cid-ops',
        at: NOW,
        command: '/enable-skill skill=help',
        requester: 'carol',
        expiresAt: NOW + 9 * 60_000,
      },
    ])
    const empty = said('/pending')
    expect(pendingApprovals([...entries, empty, bot('No approval requests are open.', empty)], NOW)).toEqual([])
  })
})
