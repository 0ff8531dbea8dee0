import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { commandLine } from '../admin/approval-text.js'
import type { Texts } from '../i18n/catalogue.js'
import { isoSeconds } from '../time-text.js'
import type { Operator } from '../config.js'
import type { Logger } from '../logger.js'
import { canonicalJson } from '../redact.js'
import type { ApprovalCard, ApprovalCardStore } from '../store/approval-cards.js'
import type { EventStore } from '../store/events.js'
import type { ApprovalRequest, ApprovalStore } from '../store/approvals.js'
import type { CardApi, CardParams, CardSpace } from '../dingtalk/card-api.js'

/** What a card shows about its request: still open, or the final state. */
export type CardStatus = 'pending' | 'approved' | 'denied' | 'expired'

export interface ApprovalCardsDeps {
  api: CardApi
  store: ApprovalCardStore
  approvals: ApprovalStore
  operators: ReadonlyMap<string, Operator>
  templateId: string
  /** The router's audit key; card signatures use a key derived from it, never the key itself. */
  auditKey: Buffer
  now: () => number
  log: Logger
  /** Where a card DingTalk refused is recorded, so /status and the digest show it. */
  events: EventStore
  /** The card's words, in the admin group's language (`config.locale`). */
  texts: Texts['approval']
}

/**
 * Approval requests as interactive cards: delivered with signed button data, and moved to their final
 * state ("Approved by …", "Denied by …", "Expired") whichever way the request was decided.
 * @example if (!(await cards.deliver(request, space))) await ctx.reply(approvalRequestReply(request, now, texts))
 */
export class ApprovalCards {
  private readonly key: Buffer

  constructor(private readonly deps: ApprovalCardsDeps) {
    this.key = createHmac('sha256', deps.auditKey).update('approval-card-v1').digest()
    // Every decision and expiry moves its cards, a typed `/approve` included; after the write, never inside it.
    deps.approvals.onSettled((r) => setImmediate(() => void this.refresh(r.id)))
  }

  /** Sends the request as a card; false (logged) when DingTalk did not take it, so the caller falls back. */
  async deliver(
    request: ApprovalRequest,
    space: CardSpace,
    preview?: string,
    mention: string[] = [],
  ): Promise<boolean> {
    const outTrackId = `apv-${request.id}-${randomBytes(6).toString('hex')}`
    const params: CardParams = {
      title: this.deps.texts.requestTitle(request.command),
      markdown: requestMarkdown(request, this.deps.texts, preview),
      approvalId: request.id,
      sig: this.sign(outTrackId, request),
      ...this.statusParams(request),
    }
    this.deps.store.add({
      outTrackId,
      approvalId: request.id,
      conversationId: request.conversationId,
      createdAt: this.deps.now(),
    })
    const at = Object.fromEntries(mention.map((id) => [id, this.deps.operators.get(id)?.name ?? id]))
    try {
      await this.deps.api.createAndDeliver({
        templateId: this.deps.templateId,
        outTrackId,
        params,
        space,
        callback: true,
        at,
      })
      return true
    } catch (err) {
      const message = (err as Error).message
      this.deps.log.error({ err: message, approvalId: request.id }, 'approval card not delivered; sending markdown')
      this.deps.events.record(
        { route: 'approval-card', code: 'card-refused', message: message.slice(0, 300) },
        this.deps.now(),
      )
      return false
    }
  }

  /** The card behind a callback's outTrackId, if the router made it. */
  card(outTrackId: string): ApprovalCard | undefined {
    return this.deps.store.get(outTrackId)
  }

  /**
   * True when a button's data is exactly what the router signed for this card: the same approval id, bound
   * to the request's command and arguments. Anything else is a tampered payload.
   */
  verify(card: ApprovalCard, params: Record<string, unknown>): boolean {
    const request = this.deps.approvals.get(card.approvalId)
    if (!request || params.approvalId !== card.approvalId || typeof params.sig !== 'string') return false
    const expected = Buffer.from(this.sign(card.outTrackId, request), 'hex')
    const actual = Buffer.from(params.sig, 'hex')
    return expected.length === actual.length && timingSafeEqual(expected, actual)
  }

  /**
   * The card's current status variables, recorded as shown: what a callback's answer carries, so DingTalk
   * updates the card at once.
   */
  showNow(card: ApprovalCard): CardParams | undefined {
    const request = this.deps.approvals.get(card.approvalId)
    if (!request) return undefined
    const params = this.statusParams(request)
    this.deps.store.shown(card.outTrackId, params.status!)
    return params
  }

  /** Moves every card of this request to the state the request is in now, once; failures are logged and retried next time. */
  async refresh(approvalId: string): Promise<void> {
    const request = this.deps.approvals.get(approvalId)
    if (!request) return
    const params = this.statusParams(request)
    for (const card of this.deps.store.forApproval(approvalId)) {
      if (card.shownStatus === params.status) continue
      this.deps.store.shown(card.outTrackId, params.status!)
      try {
        await this.deps.api.update(card.outTrackId, params)
      } catch (err) {
        this.deps.store.shown(card.outTrackId, card.shownStatus)
        const message = (err as Error).message
        this.deps.log.error({ err: message, approvalId }, 'approval card not updated')
        this.deps.events.record(
          { route: 'approval-card', code: 'update-failed', message: message.slice(0, 300) },
          this.deps.now(),
        )
      }
    }
  }

  private statusParams(r: ApprovalRequest): CardParams {
    const status = cardStatus(r, this.deps.now())
    const t = this.deps.texts
    const by = r.decidedBy ? (this.deps.operators.get(r.decidedBy)?.name ?? r.decidedBy) : t.someone
    const at = r.decidedAt ? isoSeconds(r.decidedAt) : ''
    const text: Record<CardStatus, string> = {
      pending: t.cardPending(isoSeconds(r.expiresAt)),
      approved: t.cardApproved(by, at),
      denied: t.cardDenied(by, at),
      expired: t.cardExpired(isoSeconds(r.expiresAt)),
    }
    return { status, statusText: text[status] }
  }

  private sign(outTrackId: string, r: ApprovalRequest): string {
    const bound = { outTrackId, approvalId: r.id, command: r.command, argsHash: r.argsHash }
    return createHmac('sha256', this.key).update(canonicalJson(bound)).digest('hex')
  }
}

/** A request is shown expired from its expiry on, even before the expiry job has marked it. */
function cardStatus(r: ApprovalRequest, now: number): CardStatus {
  if (r.status === 'pending') return now >= r.expiresAt ? 'expired' : 'pending'
  return r.status
}

function requestMarkdown(r: ApprovalRequest, t: Texts['approval'], preview?: string): string {
  const lines = [t.cardLines(commandLine(r), r.requesterName, isoSeconds(r.expiresAt), r.id)]
  if (preview) lines.push('', t.dryRun, preview)
  return lines.join('\n')
}
