import { performance } from 'node:perf_hooks'
import type { ResponseCache } from './response-cache.js'
import type { RouterConfig } from '../config.js'
import type { EgressClient } from '../egress/client.js'
import type { Logger } from '../logger.js'
import { completionSchema, PromptSize, type ChatMessage, type ModelTurn, type ToolSpec } from './chat.js'
import { recordRefusal, type RefusalSinks } from '../budget/refusal.js'
import { StreamedCompletion } from './stream-completion.js'
import { promptBilled } from './billed.js'
import type { BudgetLimits } from '../budget/resolve.js'
import { countTokens } from '../budget/tokenizer.js'
import { errorMessage } from '../errors.js'

/**
 * Thrown instead of sending a request that would exceed the route's maxContextTokens; nothing was sent.
 * @example if (err instanceof OverBudget) return ctx.texts.budget.needsMoreInfo(err.tokens, err.limit)
 */
export class OverBudget extends Error {
  constructor(
    readonly tokens: number,
    readonly limit: number,
  ) {
    super(`prompt of ${tokens} tokens over maxContextTokens ${limit}`)
    this.name = 'OverBudget'
  }
}

/**
 * The model as one request of one route sees it: budgeted, cached and metered. A skill gets it by declaring
 * `needs: { model: true }`; it never sees the API key, the database or the config.
 */
export interface ModelService {
  readonly name: string
  /** Shown before answers when set, e.g. "[local stand-in model]". */
  readonly label?: string
  readonly budget: BudgetLimits
  /** The cached answer to this prompt, if still fresh; counts a cache hit or miss. */
  cached(prompt: string): string | undefined
  remember(prompt: string, answer: string): void
  /** Throws OverBudget (and records the refusal) when this prompt would exceed the route's maxContextTokens. */
  checkBudget(messages: readonly ChatMessage[], tools?: readonly ToolSpec[]): Promise<void>
  /**
   * One Chat Completions call. Throws OverBudget, without sending, when the prompt exceeds the budget.
   * With `onText`, the answer is streamed (`stream: true`) and `onText` gets the text so far as it grows.
   */
  complete(
    messages: readonly ChatMessage[],
    tools?: readonly ToolSpec[],
    opts?: { onText?: (textSoFar: string) => void },
  ): Promise<ModelTurn>
  /** Counts a tool call the skill ran for the model. */
  toolCalled(): void
  /** Records the request's usage; call once when the request is done (later calls do nothing). */
  finish(): void
}

/** What the process knows about the model; one per process, built only when a model is configured. */
export interface ModelGateway {
  readonly name: string
  readonly label?: string
  forRoute(r: { route: string; budget: BudgetLimits; egress: EgressClient; log: Logger }): ModelService
}

export type ModelSettings = RouterConfig['model']
type Deps = RefusalSinks & { cache: ResponseCache }

/**
 * Builds the model gateway, or undefined when no model is configured (the `ask` skill then says so).
 * @example const model = createModelGateway(config.model, { metrics, events, modelUsage, now, cache })
 */
export function createModelGateway(settings: ModelSettings, deps: Deps): ModelGateway | undefined {
  const { baseUrl, name } = settings
  if (!baseUrl || !name) return undefined
  const url = `${baseUrl.replace(/\/+$/, '')}/chat/completions`
  const host = new URL(url).host
  const headers: Record<string, string> = settings.apiKey ? { authorization: `Bearer ${settings.apiKey}` } : {}
  return {
    name,
    label: settings.label,
    forRoute: ({ route, budget, egress, log }) => {
      const { metrics } = deps
      const used = {
        calls: 0,
        prompt: 0,
        completion: 0,
        tools: 0,
        latencyMs: 0,
        cache: 'none' as 'hit' | 'miss' | 'none',
        finished: false,
      }
      // Prompt tokens are counted once per prompt: complete() right after checkBudget() on it reuses the count.
      let lastSize: PromptSize | undefined
      const sizeOf = (messages: readonly ChatMessage[], tools: readonly ToolSpec[]): PromptSize => {
        const size = new PromptSize(messages, tools)
        if (lastSize?.sameAs(size)) return lastSize
        lastSize = size
        return size
      }
      const refuseOver = async (size: PromptSize) => {
        const over = await size.over(budget.maxContextTokens)
        if (over === undefined) return
        recordRefusal(deps, { route, tokens: over, limit: budget.maxContextTokens, stage: 'model', log })
        throw new OverBudget(over, budget.maxContextTokens)
      }
      const meter = (prompt: number, completion: number) => {
        used.prompt += prompt
        used.completion += completion
        metrics.promptTokens.inc({ route }, prompt)
        metrics.completionTokens.inc({ route }, completion)
      }
      // A failed call reports no usage, but its prompt is billed unless refused unread (billed.ts): our count stands for it.
      const meterFailed = async (size: PromptSize, err: unknown) => {
        if (!promptBilled(err)) return
        try {
          meter(await size.tokens(), 0)
        } catch (countErr) {
          log.warn({ route, err: errorMessage(countErr) }, 'could not count the prompt of a failed model call')
        }
      }
      /** Sends one request and reads its answer; throws for a failure, a stream cut short or a wrong shape. */
      const call = async (body: object, onText: ((textSoFar: string) => void) | undefined) => {
        let raw: unknown
        // One attempt, no retry: a failing model costs one call per request, and its breaker counts it.
        if (onText) {
          // Streamed through the same egress client: allowlist, breaker, timeout and size cap all apply.
          const streamed = new StreamedCompletion(onText)
          const whole = await egress.postStream(url, body, (piece) => streamed.push(piece), {
            timeoutMs: settings.timeoutMs,
            headers,
          })
          raw = streamed.result(whole)
          // A body that just stops (a proxy gave up, the connection closed) is part of an answer, not one.
          if (streamed.cutShort)
            throw new Error(
              `the model at ${host} stopped streaming before the end of its answer (no finish_reason, no data: [DONE])`,
            )
        } else {
          raw = await egress.postJson(url, body, { timeoutMs: settings.timeoutMs, headers })
        }
        const parsed = completionSchema.safeParse(raw)
        if (!parsed.success) throw new Error(`the model at ${host} answered in an unexpected shape`)
        return parsed.data
      }
      return {
        name,
        label: settings.label,
        budget,
        cached(prompt) {
          const hit = deps.cache.get(name, prompt, deps.now())
          used.cache = hit === undefined ? 'miss' : 'hit'
          ;(hit === undefined ? metrics.cacheMisses : metrics.cacheHits).inc({ route })
          return hit
        },
        remember: (prompt, answer) => deps.cache.put(name, prompt, answer, deps.now()),
        checkBudget: (messages, tools = []) => refuseOver(sizeOf(messages, tools)),
        async complete(messages, tools = [], opts = {}) {
          const size = sizeOf(messages, tools)
          await refuseOver(size)
          const onText = opts.onText
          const body = {
            model: name,
            messages,
            max_tokens: settings.maxOutput,
            ...(tools.length > 0 ? { tools, tool_choice: 'auto' } : {}),
            ...(onText ? { stream: true, stream_options: { include_usage: true } } : {}),
          }
          used.calls++
          const started = performance.now()
          let answer: Awaited<ReturnType<typeof call>>
          try {
            answer = await call(body, onText)
          } catch (err) {
            used.latencyMs += performance.now() - started
            await meterFailed(size, err)
            throw err
          }
          used.latencyMs += performance.now() - started
          const choice = answer.choices[0]!
          const message = choice.message
          const toolCalls = (message.tool_calls ?? []).map((c) => ({
            id: c.id,
            type: 'function' as const,
            function: c.function,
          }))
          const usage = answer.usage
          // The API's own numbers are what is billed; our count stands in only when it reports none.
          const prompt = usage?.prompt_tokens ?? (await size.tokens())
          const completion =
            usage?.completion_tokens ?? (await countTokens((message.content ?? '') + JSON.stringify(toolCalls)))
          meter(prompt, completion)
          const finishReason = choice.finish_reason ?? undefined
          log.debug({ route, prompt, completion, toolCalls: toolCalls.length, finishReason }, 'model answered')
          return {
            content: message.content ?? null,
            toolCalls,
            ...(finishReason === undefined ? {} : { finishReason }),
            promptTokens: prompt,
            completionTokens: completion,
            latencyMs: performance.now() - started,
          }
        },
        toolCalled() {
          used.tools++
          metrics.toolCalls.inc({ route })
        },
        finish() {
          if (used.finished || (used.calls === 0 && used.cache === 'none')) return
          used.finished = true
          if (used.calls > 0) metrics.modelLatency.observe({ route }, used.latencyMs / 1000)
          deps.modelUsage.recordRequest({
            route,
            at: deps.now(),
            promptTokens: used.prompt,
            completionTokens: used.completion,
            toolCalls: used.tools,
            modelCalls: used.calls,
            latencyMs: used.latencyMs,
            cache: used.cache,
          })
        },
      }
    },
  }
}
