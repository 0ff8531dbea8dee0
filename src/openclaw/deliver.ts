import type { ReplyContent } from '../define.js'
import type { Texts } from '../i18n/catalogue.js'
import type { AgentTurn } from './client.js'

/**
 * The streaming seam: how an agent's answer reaches the chat. Each text delta goes to `partial` (the AI card
 * of `cards.streamingTemplateId`, when one is configured: the user watches the answer grow), and the whole
 * answer is returned as one markdown reply, which finalizes that card or, without one, is the message. `texts`
 * (the asker's language) words the answer when the agent gave none.
 * @example return deliverAgentTurn('claw', turn, ctx.texts.openclaw, ctx.partial) // { title: 'claw', markdown: '…' }
 */
export async function deliverAgentTurn(
  route: string,
  turn: AgentTurn,
  texts: Texts['openclaw'],
  partial?: (textSoFar: string) => void,
): Promise<ReplyContent> {
  let text = ''
  try {
    for await (const delta of turn.deltas) {
      text += delta as string
      partial?.(text)
    }
  } catch {
    // The same failure comes out of `done` below, where the caller handles it once.
  }
  const result = await turn.done
  const answer = (result.content || text).trim()
  if (answer) return { title: route, markdown: answer }
  if (result.toolCalls > 0) return texts.toolRequested(route)
  return texts.emptyAnswer(route)
}
