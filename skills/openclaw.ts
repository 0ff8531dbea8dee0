import { z } from 'zod'
import { destinationOf } from '../src/egress/destination.js'
import { defineSkill, type SkillDefinition } from '../src/define.js'
import { GatewayRefused } from '../src/openclaw/client.js'
import { textsFor } from '../src/i18n/catalogue.js'
import { fromCatalogue } from '../src/i18n/localized.js'
import { deliverAgentTurn } from '../src/openclaw/deliver.js'
import type { OpenClawSettings } from '../src/openclaw/settings.js'

/** The words that start a new agent session for this conversation: `claw /reset`, `claw 重置`. */
const RESET_WORDS = /^(?:\/reset|\/new|重置|重新开始)$/i

const HAN = /\p{Script=Han}/u

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
      // A description from the config is the operator's words, shown as written in every language.
      description: route.description ?? fromCatalogue((t) => t.openclaw.description(route.agentId)),
      // A reader of Chinese is shown the route's Chinese trigger when it has one (`龙虾`).
      example: {
        en: textsFor('en').openclaw.example(triggers[0]!),
        'zh-CN': textsFor('zh-CN').openclaw.example(triggers.find((t) => HAN.test(t)) ?? triggers[0]!),
      },
      match: triggerPattern(triggers),
      args: z.object({ text: z.string().trim().min(1) }),
      risk: route.risk,
      egress: [destinationOf(route.baseUrl)],
      ...(allow ? { allow } : {}),
      needs: { openclaw: true },
      timeoutMs: route.timeoutMs + 5_000,
      async handler({ args, ctx }) {
        const agent = ctx.openclaw
        const texts = ctx.texts.openclaw
        // Only when the skills were built from another configuration than the running router's.
        if (!agent) return texts.notSetUp(name)
        if (!agent.allowedHere) return texts.notHere(name)
        if (RESET_WORDS.test(args.text)) {
          agent.reset()
          return texts.reset(name)
        }
        const sent = await agent.send(args.text, ctx.quoted?.text)
        if (sent.kind === 'over-budget') return ctx.texts.budget.needsMoreInfo(sent.tokens, sent.limit)
        try {
          return await deliverAgentTurn(name, sent.turn, texts, ctx.partial)
        } catch (err) {
          if (!(err instanceof GatewayRefused)) throw err
          ctx.log.warn({ route: name, status: err.status, detail: err.detail }, 'the OpenClaw gateway refused the turn')
          // OpenClaw answers 429 when too many auth attempts failed (gateway.auth.rateLimit): still the settings.
          if (err.status === 429) return texts.gatewayLocked(name)
          return texts.gatewayRefused(name, err.status)
        }
      },
      fallback: ({ ctx }) => ctx.texts.openclaw.unavailable(name),
    })
  }) as SkillDefinition<unknown>[]
}
