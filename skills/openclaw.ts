import { z } from 'zod'
import { needsMoreInfo } from '../src/budget/refusal.js'
import { destinationOf } from '../src/egress/destination.js'
import { defineSkill, type SkillDefinition } from '../src/define.js'
import { GatewayRefused } from '../src/openclaw/client.js'
import { deliverAgentTurn } from '../src/openclaw/deliver.js'
import type { OpenClawSettings } from '../src/openclaw/settings.js'

/** The words that start a new agent session for this conversation: `claw /reset`, `claw 重置`. */
const RESET_WORDS = /^(?:\/reset|\/new|重置|重新开始)$/i

/**
 * The reply when the Gateway cannot be reached or the route is paused (incident mode, open breaker). A timed-out
 * turn may still have run on the agent, so it never claims that nothing happened.
 */
export function agentUnavailable(route: string): string {
  return `"${route}" got no answer from its OpenClaw agent (the gateway is not answering, or the route is paused). If you asked it to change something, check whether it happened before asking again.`
}

const literal = (word: string) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

// A Latin trigger needs a space after it ("claw hi", not "clawhi"); Chinese is written without one
// ("龙虾今天的告警", "龙虾：重置"), so a CJK trigger takes an optional space or colon instead.
function triggerPattern(triggers: string[]): RegExp {
  const starts = triggers.map((t) => (/^[\x20-\x7e]+$/.test(t) ? `${literal(t)}\\s+` : `${literal(t)}[\\s:：,，]*`))
  return new RegExp(`^(?:${starts.join('|')})(?<text>\\S[\\s\\S]*)$`, 'iu')
}

/**
 * One skill per `openclaw.routes.<name>`: `<trigger> <text>` goes to the route's agent through the
 * Gateway's Chat Completions endpoint, with the router's identity, scopes, budget and egress rules.
 * @example openclawSkills(config.openclaw, config.operators.map((o) => o.staffId))
 */
export function openclawSkills(settings: OpenClawSettings, operatorIds: string[]): SkillDefinition<unknown>[] {
  return Object.entries(settings.routes).map(([name, route]) => {
    const triggers = route.triggers ?? [name]
    const allow = route.access === 'users' ? route.allowUsers : operatorIds
    return defineSkill({
      name,
      description: route.description ?? `Ask the OpenClaw agent "${route.agentId}"`,
      example: `${triggers[0]} 今天有哪些告警? (${triggers[0]} /reset starts over)`,
      match: triggerPattern(triggers),
      args: z.object({ text: z.string().trim().min(1) }),
      risk: route.risk,
      egress: [destinationOf(route.baseUrl)],
      ...(allow ? { allow } : {}),
      needs: { openclaw: true },
      timeoutMs: route.timeoutMs + 5_000,
      async handler({ args, ctx }) {
        const agent = ctx.openclaw
        // Only when the skills were built from another configuration than the running router's.
        if (!agent) return `"${name}" is not set up in this router; an operator needs to check openclaw.routes.`
        // Names no conversation: it says only that the route does not work here.
        if (!agent.allowedHere) return `Sorry, "${name}" is not available in this conversation.`
        if (RESET_WORDS.test(args.text)) {
          agent.reset()
          return `Started a new "${name}" session for this conversation; the agent no longer sees the earlier messages.`
        }
        const sent = await agent.send(args.text, ctx.quoted?.text)
        if (sent.kind === 'over-budget') return needsMoreInfo(sent.tokens, sent.limit)
        try {
          return await deliverAgentTurn(name, sent.turn, ctx.partial)
        } catch (err) {
          if (!(err instanceof GatewayRefused)) throw err
          ctx.log.warn({ route: name, status: err.status, detail: err.detail }, 'the OpenClaw gateway refused the turn')
          // OpenClaw answers 429 when too many auth attempts failed (gateway.auth.rateLimit): still the settings.
          if (err.status === 429)
            return `The OpenClaw gateway behind "${name}" is refusing requests after failed sign-ins (HTTP 429); nothing was done. An operator needs to check the route settings.`
          return `The OpenClaw gateway refused this request (HTTP ${err.status}). An operator needs to check the "${name}" route settings.`
        }
      },
      fallback: () => agentUnavailable(name),
    })
  }) as SkillDefinition<unknown>[]
}
