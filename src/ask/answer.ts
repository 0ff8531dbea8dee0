import type { ChatMessage, ToolSpec } from '../model/chat.js'
import type { FixedPrompt } from '../budget/floor.js'
import { OverBudget, type ModelService } from '../model/client.js'
import type { Texts } from '../i18n/catalogue.js'
import type { Locale } from '../i18n/locale.js'
import type { AskToolbox } from './tools.js'

// The `ask` skill's answer: cache first, then the model with its tools, within the route's budget.

const BASE_PROMPT = [
  'You are the on-call assistant of a chat-ops bot. Answer in at most six short lines, in the language of the question.',
  'You may call the read-only tools when they help. Say what you do not know rather than guessing.',
].join(' ')

// The model is told the reader's language too: a question that is mostly a pasted English log line, asked by a
// writer of Chinese (or in a router whose `locale` is zh-CN), is still answered in Chinese.
const SYSTEM_PROMPTS: Readonly<Record<Locale, string>> = {
  en: BASE_PROMPT,
  // Short on purpose: it is part of every request's fixed prompt, so of the route's budget floor.
  'zh-CN': `${BASE_PROMPT} Answer in simplified Chinese.`,
}

/**
 * What every `ask` request sends before the question: the system prompt and the offered tools' schemas. The
 * longest locale's prompt counts, so the budget floor never undercounts a request.
 * @example askFixedPrompt(askToolSpecs({ diagnostics: true, status: false }))
 */
export function askFixedPrompt(tools: ToolSpec[]): FixedPrompt {
  return {
    messages: [
      { role: 'system', content: SYSTEM_PROMPTS['zh-CN'] },
      { role: 'user', content: '' },
    ],
    tools,
  }
}

/** Why a model stops before the end of its answer: `max_tokens` (model.maxOutput) reached, or its own filter. */
const CUT_OFF: ReadonlySet<string> = new Set(['length', 'content_filter'])

/** How an answer came about: from the model, from the cache, or a fixed reply that never reached the model. */
export type Answer = { kind: 'model' | 'cached'; text: string } | { kind: 'over-budget' | 'tool-cap'; text: string }

/**
 * Answers one question: cache first, then the model with at most `maxToolCalls` tool calls in total. The
 * number of model calls is bounded too: one per round that ran a tool, plus the final one. Usage is
 * recorded once, whatever happens. Model and egress failures (a stream cut short among them) propagate, so
 * the skill's fallback answers. Only an answer the model finished (`finish_reason: stop`) is cached; one it
 * stopped early (its length limit, its content filter) is shown with a note that says so.
 * @example const a = await answerQuestion({ question: 'why is checkout slow?', model: ctx.model, tools, audience: 'users', locale: ctx.locale, texts: ctx.texts })
 */
export async function answerQuestion(input: {
  question: string
  /** The text of the message the user quoted, if any; it joins the prompt, cut to fit the budget. */
  quoted?: string
  model: ModelService
  tools: AskToolbox
  /** Streams each model call's answer: the text so far, as it grows. */
  onText?: (textSoFar: string) => void
  /**
   * Who may share a cached answer: an answer built with operator-only tools must never be served to an
   * end user asking the same words. Part of the cache key.
   */
  audience: 'operators' | 'users'
  /** The reader's language: the model is told to answer in it, and the fixed replies are written in it. */
  locale: Locale
  texts: Texts
}): Promise<Answer> {
  const { model, tools, onText, texts } = input
  const max = model.budget.maxToolCalls
  // The quote is part of what is asked: it goes into the cache key as well as the prompt.
  const question = withQuote(input.question, input.quoted, model.budget.maxContextTokens)
  // An answer in one language is never served to a reader of the other.
  const cacheKey = `${input.audience} ${input.locale}: ${question}`
  try {
    const messages: ChatMessage[] = [
      { role: 'system', content: SYSTEM_PROMPTS[input.locale] },
      { role: 'user', content: question },
    ]
    // An over-budget request is refused before anything else, the cache included, so it counts as a refusal only.
    await model.checkBudget(messages, max > 0 ? tools.specs : [])
    const hit = model.cached(cacheKey)
    if (hit !== undefined) return { kind: 'cached', text: hit }
    let used = 0
    for (;;) {
      // Once the cap is reached the tools are no longer offered, so the next answer has to be final.
      const offered = used < max ? tools.specs : []
      const turn = await model.complete(messages, offered, onText ? { onText } : undefined)
      const content = turn.content?.trim() ?? ''
      if (turn.toolCalls.length === 0 || offered.length === 0) {
        if (turn.toolCalls.length > 0 || !content) return { kind: 'tool-cap', text: texts.ask.toolCap(max) }
        // Only an answer the model finished is shared; one it did not say it finished is shown, not kept.
        if (turn.finishReason === 'stop') model.remember(cacheKey, content)
        if (CUT_OFF.has(turn.finishReason ?? '')) return { kind: 'model', text: `${content}\n\n${texts.ask.cutNote}` }
        return { kind: 'model', text: content }
      }
      messages.push({ role: 'assistant', content: turn.content, tool_calls: turn.toolCalls })
      // Every call gets an answer (the API requires it); those past the cap are answered without running.
      for (const call of turn.toolCalls) {
        let output = `Not run: this request has used its ${max} tool calls.`
        if (used < max) {
          used++
          model.toolCalled()
          output = await tools.run(call)
        }
        messages.push({ role: 'tool', tool_call_id: call.id, content: output })
      }
    }
  } catch (err) {
    if (err instanceof OverBudget)
      return { kind: 'over-budget', text: texts.budget.needsMoreInfo(err.tokens, err.limit) }
    throw err
  } finally {
    model.finish()
  }
}

/** At most this share of the route's token budget goes to a quote (a token is at least one byte). */
const QUOTE_SHARE = 4
const MAX_QUOTE_CHARS = 4000

/**
 * The question with the quoted message before it. The quote is cut to a quarter of the route's
 * maxContextTokens (counted as bytes, which never undercounts tokens), so a quote alone never pushes a
 * question over the budget; the budget check still covers the whole prompt.
 * @example withQuote('why?', 'checkout 502', 4000) // 'The user quotes this earlier message: …'
 */
function withQuote(question: string, quoted: string | undefined, maxContextTokens: number): string {
  if (!quoted?.trim()) return question
  const maxBytes = Math.min(MAX_QUOTE_CHARS, Math.floor(maxContextTokens / QUOTE_SHARE))
  let quote = quoted.slice(0, MAX_QUOTE_CHARS)
  if (Buffer.byteLength(quote) > maxBytes) {
    quote = `${Buffer.from(quote)
      .subarray(0, maxBytes)
      .toString('utf8')
      .replace(/\uFFFD+$/, '')} […]`
  }
  return `The user quotes this earlier message:\n"""\n${quote}\n"""\n\nTheir question: ${question}`
}
