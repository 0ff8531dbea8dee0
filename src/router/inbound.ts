import type { Context, Services } from '../context.js'
import { mapRobotPayload, type InboundMessage } from '../dingtalk/message.js'
import type { ReplyContent } from '../dingtalk/openapi.js'
import { errorMessage, newReferenceId } from '../errors.js'
import type { Logger } from '../logger.js'
import { answerUnreadable } from './unreadable.js'

/**
 * The edge between the stream and the pipeline. `accept` runs before the ack: it validates the payload and
 * stores it durably (that is the dedup), then schedules the pipeline without waiting for it.
 */
export class Inbound {
  private readonly inFlight = new Set<Promise<void>>()
  private draining = false

  constructor(
    private readonly services: Services,
    private readonly pipeline: (ctx: Context) => Promise<void>,
  ) {}

  /** Called for each robot callback, before the ack. Quick: one SQLite insert at most. */
  accept = (frame: { messageId: string; data: string }): 'accept' | 'retry-later' => {
    const { log, metrics, inbox, now } = this.services
    // While shutting down, do not ack: DingTalk delivers the message again to the next connection.
    if (this.draining) return 'retry-later'
    const mapped = mapRobotPayload(frame.data, now())
    if (mapped.kind === 'invalid') {
      metrics.malformedFrames.inc()
      log.warn(
        { messageId: frame.messageId, problems: mapped.problems },
        'dropped a robot callback with an invalid payload',
      )
      const answering = answerUnreadable(this.services, mapped.problems, mapped.salvaged)
      if (answering) {
        const run = answering.finally(() => this.inFlight.delete(run))
        this.inFlight.add(run)
      }
      return 'accept'
    }
    if (mapped.kind === 'own') return 'accept'
    try {
      if (inbox.receive(mapped.message.msgId, frame.data, now()) === 'duplicate') {
        log.debug({ msgId: mapped.message.msgId }, 'duplicate delivery ignored')
        return 'accept'
      }
    } catch (err) {
      log.error({ err: errorMessage(err) }, 'could not store an inbound message; leaving it un-acked for redelivery')
      return 'retry-later'
    }
    this.schedule(mapped.message)
    return 'accept'
  }

  /** Answers messages that were stored but not answered before the last stop (crash, SIGKILL). */
  resumePending(): number {
    const { inbox, now, log } = this.services
    let resumed = 0
    for (const row of inbox.pending()) {
      const mapped = mapRobotPayload(row.payload, now())
      if (mapped.kind !== 'message') {
        inbox.complete(row.msgId, now())
        continue
      }
      this.schedule(mapped.message)
      resumed++
    }
    if (resumed > 0) log.info({ resumed }, 'resumed messages left unanswered by the last run')
    return resumed
  }

  /** Stops taking new messages and waits for the ones in flight, at most `graceMs`. */
  async drain(graceMs: number): Promise<{ unfinished: number }> {
    this.draining = true
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs)
    })
    await Promise.race([Promise.allSettled([...this.inFlight]), deadline])
    clearTimeout(timer)
    return { unfinished: this.inFlight.size }
  }

  get inFlightCount(): number {
    return this.inFlight.size
  }

  private schedule(msg: InboundMessage): void {
    const ctx = this.createContext(msg)
    const run = this.pipeline(ctx)
      .catch((err) => ctx.log.error({ err: errorMessage(err) }, 'pipeline failed outside its error handler'))
      .finally(() => this.inFlight.delete(run))
    this.inFlight.add(run)
  }

  private createContext(msg: InboundMessage): Context {
    const { services } = this
    const refId = newReferenceId()
    let log: Logger | undefined
    const ctx: Context = {
      msg,
      // Made on first use: a pino child costs about 10 KB of garbage per message (its bindings go through
      // redaction), and at the usual levels most messages log nothing (measured with the bench's
      // allocation profile: the largest single allocator on the ping path).
      get log(): Logger {
        return (log ??= services.log.child({ msgId: msg.msgId, refId }))
      },
      refId,
      receivedAt: services.now(),
      services,
      route: 'unrouted',
      outcome: 'pending',
      replyCount: 0,
      mentions: new Set<string>(),
      reply: async (content: ReplyContent) => {
        ctx.replyCount++
        const outcome = await services.replies.send(msg, content, { mention: [...ctx.mentions] })
        if (outcome === 'failed' || outcome === 'refused-host')
          ctx.log.warn({ outcome, route: ctx.route }, 'reply not delivered')
      },
    }
    return ctx
  }
}
