import { z } from 'zod'
import { defineSkill } from '../src/define.js'
import { EgressError } from '../src/egress/client.js'
import { destinationOf } from '../src/egress/destination.js'
import { ago } from '../src/time-text.js'

/**
 * The part of the config this skill reads: `services.statusApi`.
 * @example serviceStatusSkill(config.services.statusApi)
 */
export interface ServiceStatusSettings {
  /** e.g. https://status.internal.example; the skill calls `GET {baseUrl}/v1/{service}` → `{ "state": "…", "message"?: "…" }`. */
  baseUrl?: string
}

/** The answer while no status API is configured. */
const NOT_CONFIGURED =
  'The status lookup is not configured yet: an operator sets services.statusApi.baseUrl in the router config.'

const answer = z.object({ state: z.string().min(1).max(64), message: z.string().max(300).optional() })
const REMEMBERED = 200

const shape = {
  name: 'service-status',
  description: 'Current status of an internal service',
  example: 'status payments',
  match: /^status\s+(?<service>[\w-]{1,64})$/i,
  args: z.object({ service: z.string() }),
  risk: 'read',
} as const

/**
 * Builds the `service-status` skill for the configured status API. A factory, because the one destination its
 * egress client may reach is derived from the config, and the registry checks that list before the bot connects.
 * @example const skill = serviceStatusSkill({ baseUrl: 'https://status.internal.example' })
 */
export function serviceStatusSkill(settings: ServiceStatusSettings = {}) {
  if (!settings.baseUrl) return defineSkill({ ...shape, handler: () => NOT_CONFIGURED })
  const base = settings.baseUrl.replace(/\/+$/, '')
  // The last good answer per service, for the fallback; this instance's memory only, bounded.
  const lastGood = new Map<string, { text: string; at: number }>()
  const destination = destinationOf(base)
  return defineSkill({
    ...shape,
    egress: [destination],
    async handler({ args, ctx }) {
      const res = await ctx.egress.request(`${base}/v1/${encodeURIComponent(args.service)}`, {
        headers: { accept: 'application/json' },
      })
      if (res.status === 404) return `I do not know a service called "${args.service}".`
      // Credentials refused is not an outage: the router says so instead of answering from the fallback.
      if (res.status === 401 || res.status === 403)
        throw new EgressError('http-status', `the status API answered HTTP ${res.status}`, destination, res.status)
      if (res.status !== 200) throw new Error(`the status API answered HTTP ${res.status}`)
      const parsed = answer.safeParse(res.json())
      if (!parsed.success) throw new Error('the status API answered in an unexpected shape')
      const text = `${args.service}: ${parsed.data.state}${parsed.data.message ? ` (${parsed.data.message})` : ''}`
      const key = args.service.toLowerCase()
      lastGood.delete(key)
      lastGood.set(key, { text, at: Date.now() })
      if (lastGood.size > REMEMBERED) lastGood.delete(lastGood.keys().next().value!)
      return text
    },
    fallback({ args }) {
      const known = lastGood.get(args.service.toLowerCase())
      if (!known)
        return `The status API is not answering right now and I have no recent answer for "${args.service}". Please try again in a few minutes.`
      const age = Date.now() - known.at
      return `${known.text}. Last known ${ago(age)}: the status API is not answering right now.`
    },
  })
}
