import { z } from 'zod'
import { defineSkill } from '../src/define.js'
import { EgressError } from '../src/egress/client.js'
import { destinationOf } from '../src/egress/destination.js'
import { fromCatalogue } from '../src/i18n/localized.js'

/**
 * The part of the config this skill reads: `services.statusApi`.
 * @example serviceStatusSkill(config.services.statusApi)
 */
export interface ServiceStatusSettings {
  /** e.g. https://status.internal.example; the skill calls `GET {baseUrl}/v1/{service}` → `{ "state": "…", "message"?: "…" }`. */
  baseUrl?: string
}

const answer = z.object({ state: z.string().min(1).max(64), message: z.string().max(300).optional() })
const REMEMBERED = 200

const shape = {
  name: 'service-status',
  description: fromCatalogue((t) => t.serviceStatus.description),
  example: fromCatalogue((t) => t.serviceStatus.example),
  // `服务状态 payments` (or `状态：payments`) for a writer of Chinese, who may leave out the space.
  match: /^(?:status\s+|(?:服务)?状态[\s:：]*)(?<service>[\w-]{1,64})$/i,
  args: z.object({ service: z.string() }),
  risk: 'read',
} as const

/**
 * Builds the `service-status` skill for the configured status API. A factory, because the one destination its
 * egress client may reach is derived from the config, and the registry checks that list before the bot connects.
 * @example const skill = serviceStatusSkill({ baseUrl: 'https://status.internal.example' })
 */
export function serviceStatusSkill(settings: ServiceStatusSettings = {}) {
  if (!settings.baseUrl) return defineSkill({ ...shape, handler: ({ ctx }) => ctx.texts.serviceStatus.notConfigured })
  const base = settings.baseUrl.replace(/\/+$/, '')
  // The last good answer per service, for the fallback (written in each asker's language); this instance's
  // memory only, bounded.
  const lastGood = new Map<string, { service: string; state: string; message?: string; at: number }>()
  const destination = destinationOf(base)
  return defineSkill({
    ...shape,
    egress: [destination],
    async handler({ args, ctx }) {
      const res = await ctx.egress.request(`${base}/v1/${encodeURIComponent(args.service)}`, {
        headers: { accept: 'application/json' },
      })
      const texts = ctx.texts.serviceStatus
      if (res.status === 404) return texts.unknownService(args.service)
      // Credentials refused is not an outage: the router says so instead of answering from the fallback.
      if (res.status === 401 || res.status === 403)
        throw new EgressError('http-status', `the status API answered HTTP ${res.status}`, destination, res.status)
      if (res.status !== 200) throw new Error(`the status API answered HTTP ${res.status}`)
      const parsed = answer.safeParse(res.json())
      if (!parsed.success) throw new Error('the status API answered in an unexpected shape')
      const { state, message } = parsed.data
      const key = args.service.toLowerCase()
      lastGood.delete(key)
      lastGood.set(key, { service: args.service, state, message, at: Date.now() })
      if (lastGood.size > REMEMBERED) lastGood.delete(lastGood.keys().next().value!)
      return texts.status(args.service, state, message)
    },
    fallback({ args, ctx }) {
      const texts = ctx.texts.serviceStatus
      const known = lastGood.get(args.service.toLowerCase())
      if (!known) return texts.noRecentAnswer(args.service)
      return texts.lastKnown(texts.status(known.service, known.state, known.message), Date.now() - known.at)
    },
  })
}
