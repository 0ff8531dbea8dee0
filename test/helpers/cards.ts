/**
 * Set-up for the card tests: the real router with the simulator's card templates configured, and helpers
 * to find a card and press its buttons as DingTalk would.
 */
import { expect } from 'vitest'
import type { SimCard } from '../../src/simulator/cards.js'
import { SIM_CORP_ID } from '../../src/simulator/payload.js'
import { PATIENCE } from './patience.js'
import { OPS, startTestRouter, type TestRouter, type TestRouterOptions } from './router.js'

export const APPROVAL_TEMPLATE = 'sim-approval-card'
export const AI_TEMPLATE = 'sim-ai-card'

/**
 * A test router with the approval card template (and, with `streaming`, the AI card template) configured,
 * and the simulator's corp as `dingtalk.corpId`: a card press names no robot corp, so only a configured one
 * lets a press count as our org's (card-callback.ts).
 */
export async function startCardRouter(opts: TestRouterOptions & { streaming?: boolean } = {}): Promise<TestRouter> {
  return startTestRouter({
    ...opts,
    configure: (c) => {
      const config = {
        ...c,
        dingtalk: { ...c.dingtalk, corpId: SIM_CORP_ID },
        cards: {
          ...c.cards,
          approvalTemplateId: APPROVAL_TEMPLATE,
          ...(opts.streaming ? { streamingTemplateId: AI_TEMPLATE, streamingIntervalMs: 0 } : {}),
        },
      }
      return opts.configure ? opts.configure(config) : config
    },
  })
}

/** Asks for `/enable-skill ping` (after turning it off) and returns the approval card that came instead of text. */
export async function requestByCard(r: TestRouter): Promise<SimCard> {
  expect((await r.command('/disable-skill ping')).text).toContain('"ping" is off')
  r.sim.sendMessage({ text: '/enable-skill ping', senderStaffId: 'op1', conversationId: OPS })
  return r.sim.waitForCard((c) => c.templateId === APPROVAL_TEMPLATE && c.params.status === 'pending', PATIENCE)
}

/**
 * Presses a button as `staffId` (of the simulator's corp, or of `corpId`; `null` sends none) and resolves
 * with the card update the router's ack carried.
 */
export async function press(
  r: TestRouter,
  card: SimCard,
  staffId: string,
  actionId = 'approve',
  params?: Record<string, unknown>,
  corpId?: string | null,
): Promise<Record<string, string> | undefined> {
  let messageId = ''
  const answered = new Promise<Record<string, string> | undefined>((resolve) => {
    const onAnswer = (a: { messageId: string; update?: Record<string, string> }): void => {
      if (a.messageId !== messageId) return
      r.sim.off('card-answer', onAnswer)
      resolve(a.update)
    }
    r.sim.on('card-answer', onAnswer)
  })
  messageId = r.sim.pressCardButton({ outTrackId: card.outTrackId, staffId, actionId, params, corpId }).messageId
  return answered
}
