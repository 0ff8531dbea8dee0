// Pending approvals, derived only from what the bot said in the chat (the page never reads the router's
// database): an approval card's status opens and closes its request; a bot message with an `/approve <id>` line opens a request; a later message that reports it
// approved, denied, expired or unknown closes it; the reply to `/pending` replaces the whole list; and the
// expiry printed in the request closes it on time. Types: approvals.d.ts.

const APPROVE = /\/approve\s+([A-Za-z0-9_-]{4,64})/g
const DECISION = /^\s*\/(approve|deny)\s+([A-Za-z0-9_-]{1,64})/i
const FINAL = /\b(approved|denied|withdrawn|expired|executed|no approval request)\b|已批准|已拒绝|已过期|已执行/i
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z/
const COMMAND = /`(\/(?!approve\b|deny\b)[^`]+)`/

/** Open approval requests, oldest first, as of `now` (ms). */
export function pendingApprovals(entries, now) {
  const open = new Map()
  const asked = new Map() // msgId of an operator's message → what it asked
  for (const e of entries) {
    if (e.type === 'card') {
      // An approval card says itself whether its request is still open.
      const id = e.params.approvalId
      if (!id) continue
      if (e.params.status === 'pending')
        open.set(id, { id, conversationId: e.conversationId, at: e.at, command: cardCommand(e) })
      else open.delete(id)
      continue
    }
    if (e.type === 'message') {
      const d = DECISION.exec(e.text)
      if (d) asked.set(e.msgId, { kind: 'decision', id: d[2].toLowerCase() })
      else if (/^\s*\/pending\b/i.test(e.text)) asked.set(e.msgId, { kind: 'list' })
      continue
    }
    const question = e.msgId === undefined ? undefined : asked.get(e.msgId)
    const found = requestsIn(e)
    if (question?.kind === 'list') {
      // The bot's own list is the truth at that moment: keep what it lists, drop the rest.
      const listed = new Set(found.map((r) => r.id))
      for (const id of [...open.keys()]) if (!listed.has(id)) open.delete(id)
    }
    if (found.length > 0) {
      for (const r of found) open.set(r.id, { ...open.get(r.id), ...r })
      continue
    }
    if (!FINAL.test(e.text)) continue
    if (question?.kind === 'decision') open.delete(question.id)
    for (const id of [...open.keys()]) if (mentions(e.text, id)) open.delete(id)
  }
  return [...open.values()].filter((r) => r.expiresAt === undefined || r.expiresAt > now)
}

/** Every `/approve <id>` request a bot message offers, with what can be read about it. */
function requestsIn(e) {
  const lines = e.text.split('\n')
  const ids = [...e.text.matchAll(APPROVE)].map((m) => m[1].toLowerCase())
  const single = new Set(ids).size === 1
  return [...new Set(ids)].map((id) => {
    // One request per message: details may be anywhere in it. A list: only its own line describes it.
    const scope = single ? e.text : (lines.find((l) => mentions(l, id)) ?? '')
    const expiry = ISO.exec(scope)
    const requester =
      /(?:Requested by:|发起人：)\**\s*([^\n]+)/i.exec(scope) ??
      /`\s+by\s+([^,\n]+)/.exec(scope) ??
      /`，(\S+?) 发起/.exec(scope)
    const command = COMMAND.exec(scope) ?? /(?:Approval needed:|待审批：)\s*(\/[\w-]+)/i.exec(scope)
    return {
      id,
      conversationId: e.conversationId,
      at: e.at,
      command: command ? command[1].trim() : undefined,
      requester: requester ? requester[1].replace(/\*+/g, '').trim() : undefined,
      expiresAt: expiry ? Date.parse(expiry[0]) : undefined,
    }
  })
}

function cardCommand(e) {
  return (
    COMMAND.exec(e.params.markdown ?? '')?.[1].trim() ??
    /(?:Approval needed:|待审批：)\s*(\/[\w-]+)/i.exec(e.params.title ?? '')?.[1]
  )
}

function mentions(text, id) {
  return new RegExp(`(^|[^A-Za-z0-9_-])${id}($|[^A-Za-z0-9_-])`, 'i').test(text)
}
