import type { ReplyContent } from '../dingtalk/openapi.js'
import type { AgentTurn } from './client.js'

/**
 * THE streaming seam: how an agent's answer reaches the chat. Today it reads the text deltas to the end and
 * answers with one markdown reply. A streaming card replaces this body: open the card, append each delta
 * from `turn.deltas`, finalize it, and return nothing more to send.
 * @example return deliverAgentTurn('claw', turn) // { title: 'claw', markdown: '…' }
 */
export async function deliverAgentTurn(route: string, turn: AgentTurn): Promise<ReplyContent> {
  let text = ''
  try {
    for await (const delta of turn.deltas) text += delta as string
  } catch {
    // The same failure comes out of `done` below, where the caller handles it once.
  }
  const result = await turn.done
  const answer = (result.content || text).trim()
  if (answer) return { title: route, markdown: answer }
  if (result.toolCalls > 0)
    return `The agent behind "${route}" asked for a tool the router does not offer, and gave no answer.`
  return `The agent behind "${route}" gave an empty answer.`
}
