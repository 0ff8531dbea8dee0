import type { Operator, RouterConfig } from '../config.js'
import type { Logger } from '../logger.js'
import { ApprovalCardStore } from '../store/approval-cards.js'
import type { ApprovalStore } from '../store/approvals.js'
import type { DB } from '../store/db.js'
import type { EventStore } from '../store/events.js'
import { AnswerCard } from '../dingtalk/answer-card.js'
import { ApprovalCards } from './approval-card.js'
import { CardApi, type CardApiOptions, type CardSpace } from '../dingtalk/card-api.js'
import type { InboundMessage } from '../dingtalk/message.js'
import { textsFor } from '../i18n/catalogue.js'

/** The card features that are configured; each is absent without its template id. */
export interface CardServices {
  approvals?: ApprovalCards
  /** A streaming AI card for an answer to this message, or undefined where none can be shown. */
  answerCard?: (msg: InboundMessage, log: Logger) => AnswerCard | undefined
}

export interface CardDeps {
  db: DB
  approvals: ApprovalStore
  operators: ReadonlyMap<string, Operator>
  auditKey: Buffer
  tokens: CardApiOptions['tokens']
  now: () => number
  log: Logger
  events: EventStore
}

/**
 * Builds the card features from `cards.*`; undefined when no template is configured (markdown only).
 * @example services.cards = createCardServices(config, { db, approvals, operators, auditKey, accessToken, now, log })
 */
export function createCardServices(config: RouterConfig, deps: CardDeps): CardServices | undefined {
  const { approvalTemplateId, streamingTemplateId, streamingKey, streamingIntervalMs } = config.cards
  if (!approvalTemplateId && !streamingTemplateId) return undefined
  const api = new CardApi({
    apiBase: config.dingtalk.apiBase,
    robotCode: config.dingtalk.robotCode ?? config.dingtalk.clientId ?? '',
    tokens: deps.tokens,
  })
  return {
    approvals: approvalTemplateId
      ? new ApprovalCards({
          ...deps,
          api,
          store: new ApprovalCardStore(deps.db),
          templateId: approvalTemplateId,
          texts: textsFor(config.locale).approval,
        })
      : undefined,
    answerCard: streamingTemplateId
      ? (msg, log) => {
          const space = spaceOf(msg)
          return space
            ? new AnswerCard({
                api,
                templateId: streamingTemplateId,
                key: streamingKey,
                space,
                intervalMs: streamingIntervalMs,
                log,
              })
            : undefined
        }
      : undefined,
  }
}

/** Where a card answering `msg` goes: its group, or the sender's one-to-one chat (needs a staffId). */
export function spaceOf(
  msg: Pick<InboundMessage, 'conversationType' | 'conversationId' | 'senderStaffId'>,
): CardSpace | undefined {
  if (msg.conversationType === 'group') return { kind: 'group', conversationId: msg.conversationId }
  return msg.senderStaffId ? { kind: 'one-to-one', staffId: msg.senderStaffId } : undefined
}
