import type { ChatMessage } from '../model/chat.js'
import type { TurnIdentity } from './identity.js'
import type { OpenClawRoute } from './settings.js'

// Builds the request of one turn to an OpenClaw Gateway: its messages, headers and narrowed scopes.

/** The headers that carry the DingTalk sender and conversation references to the Gateway and its agent. */
export const SENDER_HEADER = 'x-dingtalk-sender-id'
export const CONVERSATION_HEADER = 'x-dingtalk-conversation-id'

/** One Chat Completions request to the Gateway, ready for the egress client. */
export interface GatewayRequest {
  url: string
  headers: Record<string, string>
  body: {
    model: string
    user: string
    messages: ChatMessage[]
    max_completion_tokens: number
    stream: boolean
    stream_options?: { include_usage: true }
  }
}

/**
 * The `model` value for an agent: OpenClaw reads it as an agent target, not a provider model.
 * @example agentTarget('default') // 'openclaw/default'; agentTarget('ops') // 'openclaw/ops'
 */
function agentTarget(agentId: string): string {
  return `openclaw/${agentId}`
}

/**
 * The messages of one turn: a system line naming who is asking (references only), then the user's text.
 * The agent's own history lives in its Gateway session, so the router sends only the new turn.
 * @example turnMessages({ sender: 's_1', conversation: 'c_1', user: 'u' }, 'group', '今天的告警', false, undefined)
 */
export function turnMessages(
  id: TurnIdentity,
  conversationType: string,
  text: string,
  ownerAccess: boolean,
  quoted?: string,
): ChatMessage[] {
  // Says what the Gateway will do with the turn: an acknowledged owner route really does run as the owner.
  const who = ownerAccess
    ? 'an operator in an admin conversation, on a route with owner access'
    : 'not the Gateway owner'
  return [
    {
      role: 'system',
      content: `DingTalk ${conversationType} message relayed by the ops router. Sender: ${id.sender} (${who}). Conversation: ${id.conversation}.`,
    },
    {
      role: 'user',
      content: quoted?.trim() ? `The user quotes this earlier message:\n"""\n${quoted}\n"""\n\n${text}` : text,
    },
  ]
}

/**
 * A quoted message cut to a quarter of the route's maxContextTokens (as bytes, which never undercounts
 * tokens), so a long quote alone never pushes a short question over the budget.
 * @example quoteWithin('checkout 502 …', 4000) // at most 1,000 bytes
 */
export function quoteWithin(quoted: string | undefined, maxContextTokens: number): string | undefined {
  if (!quoted?.trim()) return undefined
  const maxBytes = Math.min(4000, Math.floor(maxContextTokens / 4))
  if (Buffer.byteLength(quoted) <= maxBytes) return quoted
  return `${Buffer.from(quoted)
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD+$/, '')} […]`
}

/**
 * Whether the Gateway runs this route's turns as the owner: the shared secret, or operator.admin declared.
 * @example runsAsOwner(route) // false for the default trusted-proxy route
 */
export function runsAsOwner(route: OpenClawRoute): boolean {
  return route.auth.mode === 'token' || route.auth.mode === 'password' || route.scopes.includes('operator.admin')
}

/**
 * Builds the request for a route. Identity-bearing modes (trusted-proxy, none) declare the route's narrowed
 * scopes in x-openclaw-scopes, which the Gateway honours; the shared-secret modes send the bearer secret,
 * for which the Gateway ignores declared scopes and runs the turn as the owner (only allowed on
 * `access: admin-conversations` routes with `ownerAccess: acknowledged`, checked at start). x-openclaw-model
 * is never sent: the agent keeps its configured model.
 * @example const req = gatewayRequest(route, { id, conversationType: 'group', messages, secret: undefined })
 */
export function gatewayRequest(
  route: OpenClawRoute,
  t: { id: TurnIdentity; messages: ChatMessage[]; secret?: string },
): GatewayRequest {
  const headers: Record<string, string> = {
    'x-openclaw-message-channel': 'dingtalk',
    [SENDER_HEADER]: t.id.sender,
    [CONVERSATION_HEADER]: t.id.conversation,
  }
  const mode = route.auth.mode
  if (mode === 'token' || mode === 'password') {
    if (!t.secret) throw new Error(`auth.mode ${mode} without its secret`)
    headers.authorization = `Bearer ${t.secret}`
  } else {
    headers['x-openclaw-scopes'] = route.scopes.join(',')
    if (mode === 'trusted-proxy') {
      headers[route.auth.userHeader] = `dingtalk:${t.id.sender}`
      if (route.auth.forwardedFor) headers['x-forwarded-for'] = route.auth.forwardedFor
    }
  }
  return {
    url: `${route.baseUrl.replace(/\/+$/, '')}/v1/chat/completions`,
    headers,
    body: {
      model: agentTarget(route.agentId),
      user: t.id.user,
      messages: t.messages,
      max_completion_tokens: route.maxCompletionTokens,
      stream: route.stream,
      ...(route.stream ? { stream_options: { include_usage: true as const } } : {}),
    },
  }
}
