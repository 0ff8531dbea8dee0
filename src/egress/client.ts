/** Why an outbound call was refused or failed; every refusal is also an error event and a metric. */
export type EgressErrorCode =
  | 'not-allowed'
  | 'plain-http-refused'
  | 'redirect-refused'
  | 'timeout'
  | 'breaker-open'
  | 'bulkhead-full'
  | 'too-large'
  | 'http-status'
  | 'network'
  | 'bad-url'

export class EgressError extends Error {
  constructor(
    readonly code: EgressErrorCode,
    message: string,
    readonly destination?: string,
    readonly status?: number,
  ) {
    super(message)
    this.name = 'EgressError'
  }
}

export interface EgressRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD'
  headers?: Record<string, string>
  body?: string
  /** Per-call timeout; defaults to the factory's (3 s). */
  timeoutMs?: number
  /** Response size cap in bytes; defaults to the factory's (1 MiB). */
  maxBytes?: number
}

export interface EgressResponse {
  status: number
  headers: Record<string, string>
  text: string
  json<T = unknown>(): T
}

/**
 * The only way a skill reaches the network: bound to the `host:port` destinations its definition declares,
 * with a timeout, a size cap, a circuit breaker per destination and a concurrency cap.
 */
export interface EgressClient {
  readonly destinations: readonly string[]
  request(url: string, init?: EgressRequest): Promise<EgressResponse>
  /** GET and parse JSON; a non-2xx status throws EgressError('http-status'). */
  getJson<T = unknown>(url: string, init?: Omit<EgressRequest, 'method' | 'body'>): Promise<T>
  /** POST a JSON body and parse the JSON answer; a non-2xx status throws EgressError('http-status'). */
  postJson<T = unknown>(url: string, body: unknown, init?: Omit<EgressRequest, 'method' | 'body'>): Promise<T>
  /**
   * POST a JSON body and hand the answer to `onText` piece by piece as it arrives (a streamed answer such as
   * Server-Sent Events), under the same checks, timeout and size cap; resolves with the whole text.
   * A non-2xx status throws EgressError('http-status').
   */
  postStream(
    url: string,
    body: unknown,
    onText: (piece: string) => void,
    init?: Omit<EgressRequest, 'method' | 'body'>,
  ): Promise<string>
}

export type BreakerState = 'closed' | 'open' | 'half-open'

/** Hands each skill its own client and reports breaker state for /skills, /status and /metrics. */
export interface EgressFactory {
  forRoute(route: string, destinations: readonly string[]): EgressClient
  breakerState(destination: string): BreakerState
  breakerStates(): Record<string, BreakerState>
}
