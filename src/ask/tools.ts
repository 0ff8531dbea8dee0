import { z } from 'zod'
import type { ToolCall, ToolSpec } from '../model/chat.js'
import type { DiagnosticsService } from '../budget/diagnostics.js'
import type { EgressClient } from '../egress/client.js'
import { errorMessage } from '../errors.js'
import { truncateBytes } from '../store/events.js'

// The tools the `ask` skill offers the model (diagnostics, service status), their schemas and their runs.

/** The read-only tools offered to the model, and how to run one of its calls. */
export interface AskToolbox {
  specs: ToolSpec[]
  /** Runs one call; the output is always text of at most the route's maxDiagnosticBytes, failures included. */
  run(call: ToolCall): Promise<string>
}

const routeArg = z.object({
  route: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,63}$/)
    .optional(),
})
const serviceArg = z.object({ service: z.string().regex(/^[\w-]{1,64}$/) })

const DIAGNOSTICS: ToolSpec = {
  type: 'function',
  function: {
    name: 'diagnostics_summary',
    description: 'Recent error events of the chat-ops router (route, code, count, last seen, message). Never raw logs.',
    parameters: {
      type: 'object',
      properties: { route: { type: 'string', description: 'Only this route, e.g. service-status' } },
      additionalProperties: false,
    },
  },
}

const STATUS: ToolSpec = {
  type: 'function',
  function: {
    name: 'service_status',
    description: 'Current state of one internal service from the status API.',
    parameters: {
      type: 'object',
      properties: { service: { type: 'string', description: 'Service name, e.g. payments' } },
      required: ['service'],
      additionalProperties: false,
    },
  },
}

/**
 * The schemas of the tools `ask` offers: diagnostics when the skill has that service, status with a status API.
 * @example askToolSpecs({ diagnostics: true, status: true }).length // 2
 */
export function askToolSpecs(has: { diagnostics: boolean; status: boolean }): ToolSpec[] {
  return [...(has.diagnostics ? [DIAGNOSTICS] : []), ...(has.status ? [STATUS] : [])]
}

/**
 * Builds the toolbox for one request: the diagnostics summary when the skill has that service, the service
 * status lookup when a status API is configured (through the skill's own egress client).
 * @example const tools = askToolbox({ diagnostics: ctx.diagnostics, egress: ctx.egress, maxBytes: 2048 })
 */
export function askToolbox(o: {
  diagnostics?: DiagnosticsService
  egress: EgressClient
  statusBaseUrl?: string
  maxBytes: number
}): AskToolbox {
  const specs = askToolSpecs({ diagnostics: o.diagnostics !== undefined, status: Boolean(o.statusBaseUrl) })
  const statusBase = o.statusBaseUrl?.replace(/\/+$/, '')
  const cap = (text: string) => truncateBytes(text, o.maxBytes)
  return {
    specs,
    async run(call) {
      const args = parseArgs(call.function.arguments)
      try {
        if (call.function.name === 'diagnostics_summary' && o.diagnostics) {
          const parsed = routeArg.safeParse(args)
          return cap(o.diagnostics.summary({ route: parsed.success ? parsed.data.route : undefined }))
        }
        if (call.function.name === 'service_status' && statusBase) {
          const parsed = serviceArg.safeParse(args)
          if (!parsed.success) return 'service_status needs {"service": "<name>"} (letters, digits, - and _).'
          const res = await o.egress.request(`${statusBase}/v1/${encodeURIComponent(parsed.data.service)}`, {
            headers: { accept: 'application/json' },
            maxBytes: 64 * 1024,
          })
          if (res.status === 404) return cap(`No service called "${parsed.data.service}".`)
          return cap(`HTTP ${res.status}: ${res.text.replace(/\s+/g, ' ')}`)
        }
        return `Unknown tool "${call.function.name.slice(0, 64)}". Available: ${specs.map((s) => s.function.name).join(', ') || 'none'}.`
      } catch (err) {
        // A failed lookup is an answer the model can work with, not a reason to fail the whole request.
        return cap(`The tool failed: ${errorMessage(err).slice(0, 200)}`)
      }
    },
  }
}

function parseArgs(text: string): unknown {
  try {
    return JSON.parse(text || '{}')
  } catch {
    return {}
  }
}
