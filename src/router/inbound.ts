import { EventEmitter } from 'node:events'
import { compose } from '../compose.js'
import type { Context, Services } from '../context.js'
import { mapRobotPayload, type InboundMessage } from '../dingtalk/message.js'
import { parseDuration } from '../duration.js'
import { errorMessage } from '../errors.js'
import { parseCommandLine } from './command-parser.js'
import { GroupCommit } from './group-commit.js'
import { answerUnreadable } from './unreadable.js'
import { messageContext, UNROUTED } from './message-context.js'
import { observe } from './observe.js'
import { WorkerPool } from './worker-pool.js'
import { WorkQueue, type Job, type QueueFacts } from './work-queue.js'

/**
 * The edge between the stream and the pipeline. `accept` runs before the ack: it validates the payload and
 * stores it durably (that is the dedup), in one transaction with the other frames of the same event-loop
 * turn. It never runs the pipeline: a fixed pool of workers takes stored messages from the inbox in arrival
 * order, so a burst costs rows in SQLite, not suspended pipelines in memory. Emits `done` (msgId) after each
 * message's worker finished with it (answered and marked, or left stored when it could not be marked).
 */
export class Inbound extends EventEmitter {
  private draining = false
  /** Replies to unreadable payloads in flight (outside the pool: they run no pipeline), for the drain. */
  private readonly unreadable = new Set<Promise<void>>()
  private readonly queue: WorkQueue
  private readonly pool: WorkerPool
  private readonly commits: GroupCommit<InboundMessage>

  constructor(
    private readonly services: Services,
    private readonly pipeline: (ctx: Context) => Promise<void>,
  ) {
    super()
    const { config, inbox, now, skills, metrics } = services
    const { concurrency, skillConcurrency, maxQueueAge } = config.limits
    this.queue = new WorkQueue({
      inbox,
      laneOf: (msg) => (msg.text.startsWith('/') ? 'commands' : (skills.match(msg.text)?.def.name ?? 'other')),
      laneLimit: Math.min(concurrency, skillConcurrency ?? Math.max(1, Math.floor(concurrency / 2))),
      maxAgeMs: parseDuration(maxQueueAge) ?? 600_000,
      pageSize: Math.max(32, concurrency * 2),
      now,
      onUnanswerable: (msgId) => inbox.complete(msgId, now()),
    })
    this.pool = new WorkerPool(
      concurrency,
      this.queue,
      (job) => this.run(job),
      (busy) => metrics.workersBusy.set(busy),
      () => this.commits.pending,
    )
    metrics.workers.set(concurrency)
    this.commits = new GroupCommit(
      (rows) => inbox.receiveBatch(rows, now()),
      (stored) => {
        for (const { seq, item } of stored) this.queue.noteStored(seq, item)
        // After this turn's acks are written: starting pipelines first would delay them.
        setImmediate(this.pool.pump)
      },
    )
  }

  /** Called for each robot callback; resolves when the ack may be sent (the message is committed) or must not. */
  accept = (frame: {
    messageId: string
    data: string
  }): 'accept' | 'retry-later' | Promise<'accept' | 'retry-later'> => {
    const { log, metrics, now } = this.services
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
        const run = answering.finally(() => this.unreadable.delete(run))
        this.unreadable.add(run)
      }
      return 'accept'
    }
    if (mapped.kind === 'own') return 'accept'
    const { msgId } = mapped.message
    return new Promise((resolve) =>
      this.commits.add(msgId, frame.data, mapped.message, (r) => {
        if (r.kind === 'duplicate') log.debug({ msgId }, 'duplicate delivery ignored')
        if (r.kind !== 'failed') return resolve('accept')
        log.error(
          { err: errorMessage(r.err) },
          'could not store an inbound message; leaving it un-acked for redelivery',
        )
        resolve('retry-later')
      }),
    )
  }

  /** Starts the workers on what the inbox holds: every message stored but not answered by the last run. */
  resumePending(): number {
    const { depth } = this.queue.facts()
    if (depth > 0) this.services.log.info({ resumed: depth }, 'resumed messages left unanswered by the last run')
    this.pool.pump()
    return depth
  }

  /** Stops taking new messages and waits for the ones running, at most `graceMs`; the rest stay stored. */
  async drain(graceMs: number): Promise<{ unfinished: number }> {
    this.draining = true
    const [workers] = await Promise.all([this.pool.stop(graceMs), Promise.allSettled([...this.unreadable])])
    return workers
  }

  /** Messages running in a worker right now. */
  get inFlightCount(): number {
    return this.pool.busy
  }

  /** Queue depth, oldest waiting age and busy workers, for /status and /metrics. */
  queueFacts(): QueueFacts & { busyWorkers: number; workers: number } {
    return { ...this.queue.facts(), busyWorkers: this.pool.busy, workers: this.pool.size }
  }

  private async run(job: Job): Promise<void> {
    const ctx = messageContext(this.services, job.msg, job.receivedAt)
    try {
      if (job.stale) await answerStale(ctx)
      else await this.pipeline(ctx)
    } catch (err) {
      ctx.log.error({ err: errorMessage(err) }, 'pipeline failed outside its error handler')
    }
    this.emit('done', job.msgId)
  }
}

/**
 * A message that waited past `limits.maxQueueAge`: a short apology instead of a stale answer or silence.
 * Through observe(), like every message, so it is counted once, as an error of its route, in
 * router_errors_total and in the error rate alike: a queue stall must not read as 0 % anywhere.
 */
const answerStale = compose<Context>([
  observe(),
  function sayStale(ctx) {
    const { metrics, events, now } = ctx.services
    ctx.outcome = 'stale'
    // Before the reply: an undelivered apology is recorded under the same route.
    ctx.route = routeWithoutPipeline(ctx.services, ctx.msg)
    metrics.staleAnswers.inc()
    const waited = Math.round((now() - ctx.receivedAt) / 1000)
    events.record(
      { route: 'queue', code: 'stale', message: `answered "ask again" after ${waited} s in the queue` },
      now(),
    )
    return ctx.reply(ctx.texts.router.stale)
  },
])

/**
 * The route a message would have taken, found without running the pipeline (whoever sent it): the known
 * `/command` it names, or the first skill whose pattern fits, as `route` picks them; `unrouted` for anything
 * else, which is also what the pipeline calls a text that matches nothing. Only registered names: a label
 * never comes from what a user typed.
 */
function routeWithoutPipeline({ commands, skills }: Services, msg: InboundMessage): string {
  if (msg.text.startsWith('/')) {
    const parsed = parseCommandLine(msg.text)
    const def = parsed.ok ? commands.get(parsed.command.name) : undefined
    return def ? `/${def.name}` : UNROUTED
  }
  return skills.match(msg.text)?.def.name ?? UNROUTED
}
