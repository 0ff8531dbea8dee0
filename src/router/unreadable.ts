import type { Services } from '../context.js'
import type { InboundMessage, SalvagedPayload } from '../dingtalk/message.js'
import { errorMessage, newReferenceId } from '../errors.js'
import { textsFor } from '../i18n/catalogue.js'

/**
 * A payload that failed validation is still answered when it carries a reply address we may use, and is
 * recorded as an error event either way: never silence for the user, never a blind spot for operators.
 * Returns the reply in flight (never rejecting), or undefined when there is nobody to answer.
 * @example const answering = answerUnreadable(services, mapped.problems, mapped.salvaged)
 */
export function answerUnreadable(
  services: Services,
  problems: string[],
  salvaged: SalvagedPayload | undefined,
): Promise<void> | undefined {
  const { events, replies, inbox, now, log } = services
  try {
    events.record({ route: 'inbound', code: 'invalid-payload', message: problems.join('; ').slice(0, 200) }, now())
  } catch (err) {
    log.warn({ err: errorMessage(err) }, 'could not record an error event')
  }
  if (!salvaged || !replies.webhookAllowed(salvaged.sessionWebhook)) return undefined
  const msgId = salvaged.msgId ?? `invalid-${newReferenceId()}`
  try {
    // A redelivered copy of the same broken message is answered once.
    if (salvaged.msgId && inbox.receive(msgId, '{}', now()) === 'duplicate') return undefined
    if (salvaged.msgId) inbox.complete(msgId, now())
  } catch (err) {
    log.warn({ err: errorMessage(err) }, 'could not record an invalid message for dedup; answering anyway')
  }
  const msg: InboundMessage = {
    msgId,
    conversationId: salvaged.conversationId ?? 'unknown',
    conversationType: salvaged.conversationType,
    senderStaffId: salvaged.senderStaffId,
    senderId: 'unknown',
    senderNick: 'unknown',
    isInAtList: false,
    atUsers: [],
    msgtype: 'unknown',
    text: '',
    attachments: [],
    supported: false,
    sessionWebhook: salvaged.sessionWebhook,
    sessionWebhookExpiresAt: now() + 60_000,
    createdAt: now(),
  }
  return replies
    .send(msg, textsFor(services.config.locale).inbound.unreadable, { route: 'inbound' })
    .then(() => undefined)
    .catch((err: unknown) => log.warn({ err: errorMessage(err) }, 'could not answer an unreadable message'))
}
