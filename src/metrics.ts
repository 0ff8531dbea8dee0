import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/** Every metric the router exports, in one registry per process (tests build their own). */
export function createMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'router_process_' })
  const labelNames = ['route'] as const
  return {
    registry,
    messages: new Counter({
      name: 'router_messages_total',
      help: 'Messages handled, by route and outcome',
      labelNames: ['route', 'outcome'],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'router_errors_total',
      help: 'Messages that failed: an internal error, a skill failure answered from its fallback, an undelivered reply, an admin command not carried out, or a "please ask again" after waiting past limits.maxQueueAge',
      labelNames,
      registers: [registry],
    }),
    budgetRefusals: new Counter({
      name: 'router_budget_refusals_total',
      help: 'Requests refused for exceeding the route budget',
      labelNames,
      registers: [registry],
    }),
    promptTokens: new Counter({
      name: 'router_prompt_tokens_total',
      help: 'Prompt tokens sent to the model',
      labelNames,
      registers: [registry],
    }),
    completionTokens: new Counter({
      name: 'router_completion_tokens_total',
      help: 'Completion tokens received from the model',
      labelNames,
      registers: [registry],
    }),
    toolCalls: new Counter({
      name: 'router_tool_calls_total',
      help: 'Tool calls made by the model',
      labelNames,
      registers: [registry],
    }),
    cacheHits: new Counter({
      name: 'router_cache_hits_total',
      help: 'Model response cache hits',
      labelNames,
      registers: [registry],
    }),
    cacheMisses: new Counter({
      name: 'router_cache_misses_total',
      help: 'Model response cache misses',
      labelNames,
      registers: [registry],
    }),
    modelLatency: new Histogram({
      name: 'router_model_latency_seconds',
      help: 'Model request latency',
      labelNames,
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers: [registry],
    }),
    breakerState: new Gauge({
      name: 'router_breaker_open',
      help: '1 while the circuit breaker of a destination is open',
      labelNames: ['destination'],
      registers: [registry],
    }),
    egressRefusals: new Counter({
      name: 'router_egress_refusals_total',
      help: 'Outbound calls refused by the egress policy',
      labelNames: ['route', 'reason'],
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'router_rate_limited_total',
      help: 'Messages dropped by the rate limit',
      labelNames: ['scope'],
      registers: [registry],
    }),
    ackLatency: new Histogram({
      name: 'router_ack_latency_seconds',
      help: 'Callback frame received to ack sent',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.1, 0.5],
      registers: [registry],
    }),
    replyLatency: new Histogram({
      name: 'router_reply_latency_seconds',
      help: 'Callback received to reply sent',
      labelNames,
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10],
      registers: [registry],
    }),
    streamConnected: new Gauge({
      name: 'router_stream_connected',
      help: '1 while the DingTalk stream is connected',
      registers: [registry],
    }),
    walBytes: new Gauge({
      name: 'router_sqlite_wal_bytes',
      help: 'Size of the SQLite WAL file; it grows while another process holds a read transaction open',
      registers: [registry],
    }),
    malformedFrames: new Counter({
      name: 'router_malformed_frames_total',
      help: 'Downstream frames dropped as malformed',
      registers: [registry],
    }),
    ...queueMetrics(registry),
    ...outboxMetrics(registry),
  }
}

/** Where the queue gauges read from at scrape time; set once the inbound queue exists (0 until then). */
export interface QueueSource {
  facts?: () => { depth: number; oldestWaitSeconds: number }
}

/** The message queue and the reply path: all present from the first scrape, at zero. */
function queueMetrics(registry: Registry) {
  const queueSource: QueueSource = {}
  return {
    queueSource,
    queueDepth: new Gauge({
      name: 'router_queue_depth',
      help: 'Messages stored and acked, waiting for a worker',
      registers: [registry],
      collect() {
        this.set(queueSource.facts?.().depth ?? 0)
      },
    }),
    queueOldestWait: new Gauge({
      name: 'router_queue_oldest_wait_seconds',
      help: 'How long the oldest waiting message has waited',
      registers: [registry],
      collect() {
        this.set(queueSource.facts?.().oldestWaitSeconds ?? 0)
      },
    }),
    workers: new Gauge({ name: 'router_workers', help: 'Size of the worker pool', registers: [registry] }),
    workersBusy: new Gauge({
      name: 'router_workers_busy',
      help: 'Workers running a message right now',
      registers: [registry],
    }),
    staleAnswers: new Counter({
      name: 'router_queue_stale_total',
      help: 'Messages that waited past limits.maxQueueAge and were answered "please ask again"',
      registers: [registry],
    }),
    replyRetries: new Counter({
      name: 'router_reply_retries_total',
      help: 'sessionWebhook POSTs retried after a retryable failure (timeout, reset, 5xx, flow control)',
      registers: [registry],
    }),
    replyGiveUps: new Counter({
      name: 'router_reply_giveups_total',
      help: 'Replies given up on: webhook retries and the proactive send both failed, or the reply was refused',
      registers: [registry],
    }),
  }
}

// --- The outbox: notices for the admin conversations not sent yet ---

/** Where the outbox gauge reads from at scrape time (the table, so notices routerctl wrote count too); 0 until set. */
export interface OutboxSource {
  backlog?: () => { waiting: number; undelivered: number }
}

/** Present from the first scrape: a notice the OpenAPI keeps refusing shows here, not only in a log line. */
function outboxMetrics(registry: Registry) {
  const outboxSource: OutboxSource = {}
  return {
    outboxSource,
    outboxNotices: new Gauge({
      name: 'router_outbox_notices',
      help: 'Notices for the admin conversations not sent yet: waiting (still retried) or undelivered (given up)',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const backlog = outboxSource.backlog?.() ?? { waiting: 0, undelivered: 0 }
        this.set({ state: 'waiting' }, backlog.waiting)
        this.set({ state: 'undelivered' }, backlog.undelivered)
      },
    }),
  }
}

export type Metrics = ReturnType<typeof createMetrics>

/**
 * Creates the per-route series at zero, so a dashboard or `/metrics | grep` sees `0` from the first scrape
 * instead of no series at all (which reads the same as "not scraped"). Other labels appear when first used.
 * @example primeSeries(metrics, ['ping', 'ask'])
 */
export function primeSeries(metrics: Metrics, routes: readonly string[]): void {
  for (const route of routes) {
    metrics.errors.inc({ route }, 0)
    for (const outcome of ['replied', 'error'] as const) metrics.messages.inc({ route, outcome }, 0)
  }
}
