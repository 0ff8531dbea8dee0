import { z } from 'zod'
import { runCommand } from '../admin/run-command.js'
import type { CommandContext, Services } from '../context.js'
import type { ReplyContent } from '../define.js'
import { errorMessage } from '../errors.js'
import { parseJson } from '../json.js'
import type { ApprovalCard } from '../store/approval-cards.js'
import type { ApprovalCards } from './approval-card.js'
import type { CardParams } from '../dingtalk/card-api.js'
import { auditRejected, staffActor } from '../store/audit-rejected.js'
import { textsFor } from '../i18n/catalogue.js'
import { adminStanding } from '../router/identity.js'

// Handles a button press on an approval card: checks it, then runs /approve or /deny for the clicker.

/** What the ack of a card callback carries: nothing, or the card variables DingTalk applies at once. */
export type CardCallbackAnswer =
  | Record<string, never>
  | { cardUpdateOptions: { updateCardDataByKey: true }; cardData: { cardParamMap: CardParams } }

const privateData = z.object({
  cardPrivateData: z.object({
    actionIds: z.array(z.string().max(64)).min(1).max(8),
    params: z.record(z.string(), z.unknown()).default({}),
  }),
})

const callbackSchema = z.object({
  outTrackId: z.string().min(1).max(128),
  userId: z.string().min(1).max(64),
  corpId: z.string().max(128).optional(),
  content: z.string().max(20_000).optional(),
  value: z.string().max(20_000).optional(),
})

const ACTIONS: Record<string, 'approve' | 'deny'> = { approve: 'approve', deny: 'deny' }

export interface CardCallbackDeps {
  services: Services
  cards: ApprovalCards
  /** Posts the outcome of a click to the card's conversation (a proactive group send). */
  post: (conversationId: string, content: ReplyContent) => Promise<void>
}

/**
 * Handles one button press on an approval card. Quick and synchronous, because its answer is the ack that
 * DingTalk waits for: it checks the card and the signed button data, then runs `/approve <id>` or
 * `/deny <id>` for the clicker through the audited executor (the very command a typed decision runs, so
 * every rule applies: operator of our org, not the requester, single use, signature, expiry). The decision
 * itself is made before the ack, and the ack carries the card's new state; the approved command's result is
 * posted to the conversation when it is done.
 * @example const answer = handler.handle(frame.data); client.socketCallBackResponse(messageId, answer)
 */
export class CardCallbackHandler {
  private readonly running = new Set<Promise<void>>()

  constructor(private readonly deps: CardCallbackDeps) {}

  handle(data: string): CardCallbackAnswer {
    const { services, cards } = this.deps
    const click = readClick(data)
    if (!click) {
      services.metrics.malformedFrames.inc()
      services.log.warn('dropped a card callback that could not be read')
      return {}
    }
    const card = cards.card(click.outTrackId)
    if (!card) {
      services.log.warn(
        { outTrackId: click.outTrackId.slice(0, 64) },
        'card callback for a card this router did not send',
      )
      return {}
    }
    // The identity rule of typed commands (identity.ts), with the presser's corp as the sender's. Our corp
    // for a press is `dingtalk.corpId` alone: the callback names the presser's corp but not the robot's (it
    // has no `chatbotCorpId`), and neither the card nor its request keeps the corp of the message that
    // opened it. So without `dingtalk.corpId` no press can be placed in our org, and every press is
    // refused; a typed `/approve <id>` still works, as its payload names the robot's corp.
    const standing = adminStanding(
      { senderStaffId: click.userId, senderCorpId: click.corpId, conversationId: card.conversationId },
      services,
    )
    // Never an operator's name for someone who is not that operator here (another org's same staffId).
    const actor = standing.operator?.name ?? staffActor(click.userId)
    const verb = ACTIONS[click.actionId]
    if (!verb || !cards.verify(card, click.params)) {
      this.refuse(card, actor, verb ?? 'approve', 'tampered card data')
      services.log.error(
        { outTrackId: card.outTrackId, approvalId: card.approvalId, sender: click.userId },
        'card button data does not match what the router signed; refused',
      )
      this.later(card, textsFor(services.config.locale).approval.cardTampered(card.approvalId))
      return answer(cards.showNow(card))
    }
    if (!standing.ok) {
      const unchecked = standing.reason === 'sender from another org' && !services.config.dingtalk.corpId
      const reason = unchecked ? 'our org unknown: dingtalk.corpId not set' : standing.reason
      this.refuse(card, actor, verb, reason)
      services.log.warn(
        {
          outTrackId: card.outTrackId,
          approvalId: card.approvalId,
          sender: click.userId,
          corpId: click.corpId,
          reason,
        },
        unchecked
          ? 'refused a card press: set dingtalk.corpId (DINGTALK_CORP_ID) so presses can be checked against our org'
          : 'refused a card press',
      )
      const t = textsFor(services.config.locale)
      this.later(card, unchecked ? t.approval.cardNeedsCorp(card.approvalId) : t.router.commandRefused)
      return answer(cards.showNow(card))
    }
    const { operator } = standing
    const def = services.commands.get(verb)
    if (!def) {
      services.log.error({ command: verb }, 'card button pressed but this router has no such command; nothing ran')
      this.later(card, textsFor(services.config.locale).approval.cardNoCommand(verb))
      return answer(cards.showNow(card))
    }
    const cctx: CommandContext = {
      operator,
      channel: 'dingtalk',
      conversationId: card.conversationId,
      services,
      log: services.log.child({ outTrackId: card.outTrackId, via: 'card' }),
      texts: textsFor(services.config.locale),
    }
    // The one call into the decision path: the same command, executor and audit as a typed `/approve <id>`.
    const result = runCommand(def, def.args.parse({ id: card.approvalId }), cctx)
    this.later(card, result)
    return answer(cards.showNow(card))
  }

  /** Resolves when every click's follow-up (result post, card refresh) is done; for shutdown and tests. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running])
  }

  /** An attempt refused before it reached the command is on the record, like the text path's refusals. */
  private refuse(card: ApprovalCard, actor: string, verb: 'approve' | 'deny', reason: string): void {
    const { services } = this.deps
    try {
      auditRejected(services.audit, {
        actor,
        channel: 'dingtalk',
        action: verb,
        reason,
        args: { id: card.approvalId, conversationId: card.conversationId, via: 'card' },
        approvalId: card.approvalId,
      })
    } catch (err) {
      services.log.error({ err: errorMessage(err) }, 'could not audit a refused card click')
    }
  }

  private later(card: ApprovalCard, reply: ReplyContent | Promise<ReplyContent>): void {
    const { services, cards, post } = this.deps
    const work = Promise.resolve(reply)
      .then((content) => post(card.conversationId, content))
      .catch((err: unknown) => {
        services.log.error({ err: errorMessage(err), approvalId: card.approvalId }, 'card click result not posted')
        services.events.record(
          { route: 'card-callback', code: 'reply-failed', message: errorMessage(err).slice(0, 200) },
          services.now(),
        )
      })
      .then(() => cards.refresh(card.approvalId))
      .finally(() => this.running.delete(work))
    this.running.add(work)
  }
}

function answer(params: CardParams | undefined): CardCallbackAnswer {
  return params ? { cardUpdateOptions: { updateCardDataByKey: true }, cardData: { cardParamMap: params } } : {}
}

/** A button press as the callback describes it: who (staffId and corp), on which card, which button. */
interface Click {
  outTrackId: string
  userId: string
  /** The presser's corp; absent when the callback names none (then the press fails the org rule). */
  corpId?: string
  actionId: string
  params: Record<string, unknown>
}

function readClick(data: string): Click | undefined {
  const parsed = callbackSchema.safeParse(parseJson(data))
  if (!parsed.success) return undefined
  const raw = parsed.data.content ?? parsed.data.value
  if (raw === undefined) return undefined
  const p = privateData.safeParse(parseJson(raw))
  if (!p.success) return undefined
  return {
    outTrackId: parsed.data.outTrackId,
    userId: parsed.data.userId,
    corpId: parsed.data.corpId,
    actionId: p.data.cardPrivateData.actionIds[0]!,
    params: p.data.cardPrivateData.params,
  }
}
