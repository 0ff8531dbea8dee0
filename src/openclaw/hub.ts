import { performance } from 'node:perf_hooks'
import { Counter } from 'prom-client'
import { PromptSize } from '../model/chat.js'
import { promptBilled } from '../model/billed.js'
import { recordRefusal, type RefusalSinks } from '../budget/refusal.js'
import type { BudgetLimits } from '../budget/resolve.js'
import { countTokens } from '../budget/tokenizer.js'
import type { RouterConfig } from '../config.js'
import type { InboundMessage } from '../dingtalk/message.js'
import type { EgressClient } from '../egress/client.js'
import type { DB } from '../store/db.js'
import type { Logger } from '../logger.js'
import { GatewayRefused, sendTurn, type AgentTurn } from './client.js'
import { identityKeys } from './identity.js'
import { gatewayRequest, quoteWithin, runsAsOwner, turnMessages } from './request.js'
import { OpenClawSessions } from './sessions.js'

// The OpenClaw hub: one guarded client per configured route, bound to each request that uses it.

/** What one request of an OpenClaw route may do: check where it is, reset its session, send its turn. */
export interface OpenClawService {
  /** False when the route is for operators in admin conversations and this is not one. */
  readonly allowedHere: boolean
  /** Starts a new agent session for this conversation; returns the new generation. */
  reset(): number
  /**
   * Sends the turn (with the message the user quoted, if any), or refuses it before anything is sent when the prompt is over the route's
   * maxContextTokens (the refusal is recorded like ask's). Usage and metrics are recorded when it ends.
   */
  send(
    text: string,
    quoted?: string,
  ): Promise<{ kind: 'over-budget'; tokens: number; limit: number } | { kind: 'sent'; turn: AgentTurn }>
}

/** The process-wide part: the session store, the identity key, the routes. Built in app.ts. */
export interface OpenClawHub {
  forRequest(r: {
    route: string
    budget: BudgetLimits
    egress: EgressClient
    log: Logger
    msg: InboundMessage
  }): OpenClawService | undefined
}

type Deps = RefusalSinks & { db: DB; identitySecret: Buffer }

/**
 * Builds the hub, or undefined when no OpenClaw route is configured.
 * @example services.openclaw = createOpenClawHub(config, { db, identitySecret: auditKey, metrics, events, modelUsage, now })
 */
export function createOpenClawHub(
  config: Pick<RouterConfig, 'openclaw' | 'adminConversations'>,
  deps: Deps,
): OpenClawHub | undefined {
  const routes = config.openclaw.routes
  if (Object.keys(routes).length === 0) return undefined
  const sessions = new OpenClawSessions(deps.db)
  const ids = identityKeys(deps.identitySecret)
  const { metrics } = deps
  const cachedTokens = new Counter({
    name: 'router_cached_prompt_tokens_total',
    help: 'Prompt tokens the upstream reported as served from its prompt cache, per route',
    labelNames: ['route'],
    registers: [metrics.registry],
  })
  return {
    forRequest({ route, budget, egress, log, msg }) {
      const settings = routes[route]
      if (!settings) return undefined
      const raw = settings.rawIdentity
      const conversationRef = ids.conversation(msg.conversationId, raw)
      const secret = settings.auth.mode === 'token' ? config.openclaw.gatewayToken : config.openclaw.gatewayPassword
      return {
        allowedHere:
          settings.access !== 'admin-conversations' || config.adminConversations.includes(msg.conversationId),
        reset: () => sessions.reset(route, conversationRef, deps.now()),
        async send(text, quoted) {
          const id = ids.turn({
            route,
            conversationId: msg.conversationId,
            senderId: msg.senderStaffId ?? msg.senderId,
            generation: sessions.generation(route, conversationRef),
            raw,
          })
          const quote = quoteWithin(quoted, budget.maxContextTokens)
          const messages = turnMessages(id, msg.conversationType, text, runsAsOwner(settings), quote)
          const size = new PromptSize(messages, [])
          const over = await size.over(budget.maxContextTokens)
          if (over !== undefined) {
            recordRefusal(deps, { route, tokens: over, limit: budget.maxContextTokens, stage: 'model', log })
            return { kind: 'over-budget', tokens: over, limit: budget.maxContextTokens }
          }
          const request = gatewayRequest(settings, { id, messages, secret })
          const started = performance.now()
          const turn = sendTurn(egress, request, settings.timeoutMs)
          const record = async (result: Awaited<AgentTurn['done']> | undefined, err?: unknown) => {
            const latencyMs = performance.now() - started
            // The Gateway's own numbers first; our count stands in when it reports none (as for ask). A failed
            // turn reports nothing, but its prompt is billed unless it was refused unread (see billed.ts).
            const billed = result !== undefined || (!(err instanceof GatewayRefused) && promptBilled(err))
            const prompt = result?.usage?.prompt ?? (billed ? await size.tokens() : 0)
            const completion = result ? (result.usage?.completion ?? (await countTokens(result.content))) : 0
            const tools = result?.toolCalls ?? 0
            metrics.promptTokens.inc({ route }, prompt)
            metrics.completionTokens.inc({ route }, completion)
            if (tools > 0) metrics.toolCalls.inc({ route }, tools)
            if (result?.usage?.cached) cachedTokens.inc({ route }, result.usage.cached)
            metrics.modelLatency.observe({ route }, latencyMs / 1000)
            deps.modelUsage.recordRequest({
              route,
              at: deps.now(),
              promptTokens: prompt,
              completionTokens: completion,
              toolCalls: tools,
              modelCalls: 1,
              latencyMs,
              // Agent turns are never answered from a cache: each one runs in (and changes) the agent session.
              cache: 'none',
            })
            log.debug({ route, prompt, completion, toolCalls: tools, agent: request.body.model }, 'agent answered')
          }
          const done = turn.done.then(
            async (result) => {
              await record(result).catch((err: unknown) => log.warn({ err: String(err) }, 'could not record usage'))
              return result
            },
            async (err: unknown) => {
              await record(undefined, err).catch((recordErr: unknown) =>
                log.warn({ err: String(recordErr) }, 'could not record usage'),
              )
              throw err
            },
          )
          return { kind: 'sent', turn: { deltas: turn.deltas, done } }
        },
      }
    },
  }
}
