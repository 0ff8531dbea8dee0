import { z } from 'zod'
import { answerQuestion, askFixedPrompt } from '../src/ask/answer.js'
import { askToolbox, askToolSpecs } from '../src/ask/tools.js'
import { destinationOf } from '../src/egress/destination.js'
import { defineSkill } from '../src/define.js'
import { fromCatalogue } from '../src/i18n/localized.js'

/** The parts of the config this skill reads: where the model and the status API are (never the API key). */
export interface AskSettings {
  model?: { baseUrl?: string; name?: string; timeoutMs?: number }
  statusApi?: { baseUrl?: string }
}

const shape = {
  name: 'ask',
  description: fromCatalogue((t) => t.ask.description),
  example: fromCatalogue((t) => t.ask.example),
  match: /^(?:ask|问)\s+(?<question>[\s\S]+)$/i,
  args: z.object({ question: z.string().trim().min(1) }),
  risk: 'read',
} as const

/**
 * Builds the `ask` skill for the configured model. A factory, because its egress list (the model's
 * destination, and the status API's for the service_status tool) comes from the config. With no model it
 * stays out of `help` and answers that it is not set up.
 * @example const ask = askSkill({ model: { baseUrl: 'https://llm.internal.example/v1', name: 'gpt-4o-mini' } })
 */
export function askSkill(settings: AskSettings = {}) {
  const model = settings.model
  if (!model?.baseUrl || !model.name)
    return defineSkill({ ...shape, listed: false, handler: ({ ctx }) => ctx.texts.ask.noModel })
  const statusBaseUrl = settings.statusApi?.baseUrl
  const egress = [...new Set([model.baseUrl, ...(statusBaseUrl ? [statusBaseUrl] : [])].map((u) => destinationOf(u)))]
  return defineSkill({
    ...shape,
    egress,
    needs: { model: true, diagnostics: true },
    fixedPrompt: askFixedPrompt(askToolSpecs({ diagnostics: true, status: Boolean(statusBaseUrl) })),
    // Room for the final answer plus a few tool rounds; each model call has its own, shorter timeout.
    timeoutMs: Math.min(120_000, 4 * (model.timeoutMs ?? 20_000) + 5_000),
    async handler({ args, ctx }) {
      if (!ctx.model) return ctx.texts.ask.noModel
      const tools = askToolbox({
        diagnostics: ctx.diagnostics,
        egress: ctx.egress,
        statusBaseUrl,
        maxBytes: ctx.model.budget.maxDiagnosticBytes,
      })
      const label = ctx.model.label ? `${ctx.model.label} ` : ''
      const partial = ctx.partial
      // ctx.diagnostics is only there for an operator in an admin conversation (see src/router/skill-context.ts).
      const answer = await answerQuestion({
        question: args.question,
        quoted: ctx.quoted?.text,
        model: ctx.model,
        tools,
        onText: partial ? (text) => partial(`${label}${text}`) : undefined,
        audience: ctx.diagnostics ? 'operators' : 'users',
        locale: ctx.locale,
        texts: ctx.texts,
      })
      if (answer.kind === 'over-budget' || answer.kind === 'tool-cap') return answer.text
      return `${label}${answer.text}${answer.kind === 'cached' ? `\n\n${ctx.texts.ask.cachedNote}` : ''}`
    },
    fallback: ({ ctx }) => ctx.texts.ask.modelDown,
  })
}
