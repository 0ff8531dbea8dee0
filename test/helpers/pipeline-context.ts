/**
 * One middleware of the pipeline, driven directly: a real {@link Context} (built as `Inbound` builds it, from
 * a robot payload mapped by the real parser) over real stores on a fresh SQLite file, and a `next` the test
 * observes. Replies are recorded at the DingTalk boundary instead of being posted.
 * @example
 * const h = middlewareHarness(); const ctx = h.context('ping')
 * const { calledNext } = await h.run(parse(h.config.limits), ctx)
 */
import type { Middleware } from '../../src/compose.js'
import type { Context } from '../../src/context.js'
import { mapRobotPayload, type InboundMessage } from '../../src/dingtalk/message.js'
import { messageContext } from '../../src/router/message-context.js'
import { buildRobotPayload, lwcpId } from '../../src/simulator/payload.js'
import type { SimMessageInput } from '../../src/simulator/types.js'
import { OP1, OPS } from './router.js'
import { testServices, type TestServicesOptions } from './services.js'

/** What `run` saw: whether the step handed over, and what had happened by then. */
export interface StepResult {
  calledNext: boolean
  /** The outcome the context had when `next` was called (undefined when it was not). */
  outcomeAtNext?: Context['outcome']
}

/**
 * Services with an admin conversation ({@link OPS}) and the two test operators, plus builders for messages
 * and contexts. Call `close()` after each test.
 */
export function middlewareHarness(opts: TestServicesOptions = {}) {
  const t = testServices({ ...opts, env: { ROUTER_ADMIN_CONVERSATIONS: OPS, ...opts.env } })
  const { services } = t

  /** The message DingTalk would deliver for `input`, through the real payload mapping. */
  function message(input: SimMessageInput | string = {}): InboundMessage {
    const now = services.now()
    const built = buildRobotPayload(typeof input === 'string' ? { text: input } : input, {
      now,
      robotCode: 'robot-test',
      chatbotUserId: lwcpId('robot-test'),
      sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession',
      sessionTtlMs: 3_600_000,
    })
    const mapped = mapRobotPayload(JSON.stringify(built.payload), now)
    if (mapped.kind !== 'message') throw new Error(`not a message: ${JSON.stringify(mapped)}`)
    return mapped.message
  }

  /** A fresh context for `input` (a text, a payload input, or a mapped message), as a worker builds it. */
  function context(input: SimMessageInput | string | InboundMessage = {}): Context {
    const msg = typeof input === 'object' && 'msgId' in input && 'supported' in input ? input : message(input)
    return messageContext(services, msg, services.now())
  }

  /**
   * Runs `step` on `ctx` with an observed `next` (which runs `rest`, if given, as the rest of the pipeline).
   * @example const { calledNext } = await h.run(policy(), h.context(operatorCommand('/status')))
   */
  async function run(
    step: Middleware<Context>,
    ctx: Context,
    rest: (ctx: Context) => unknown = () => undefined,
  ): Promise<StepResult> {
    const result: StepResult = { calledNext: false }
    await step(ctx, async () => {
      result.calledNext = true
      result.outcomeAtNext = ctx.outcome
      await rest(ctx)
    })
    return result
  }

  /**
   * Runs the steps that come before the one under test, in order, as the pipeline would; throws when one of
   * them stops the message, so a test never checks a step on a context the pipeline would not give it.
   * @example const ctx = await h.through([parse(h.config.limits), policy()], h.context('/status'))
   */
  async function through(steps: Middleware<Context>[], ctx: Context): Promise<Context> {
    for (const step of steps) {
      const { calledNext } = await run(step, ctx)
      if (!calledNext) throw new Error(`${step.name || 'a step'} stopped the message (outcome ${ctx.outcome})`)
    }
    return ctx
  }

  return { ...t, message, context, run, through }
}

/** A command line from operator alice in the admin group. */
export function operatorCommand(text: string, staffId = OP1.staffId): SimMessageInput {
  return { text, senderStaffId: staffId, conversationId: OPS }
}
