import type { DestinationGuards } from './breakers.js'
import { EgressError, type EgressClient, type EgressRequest, type EgressResponse } from './client.js'
import { Deadline } from './deadline.js'
import { checkUrl, type RoutePolicy, type Target } from './destination.js'
import { fetchHop, type HopInit, type HopResult } from './fetch-hop.js'
import { MAX_REDIRECTS, redirectedInit, redirectTarget } from './redirect.js'

/** What a route's client is built from; the factory supplies the shared parts. */
export interface RouteClientDeps {
  route: string
  destinations: readonly string[]
  policy: RoutePolicy
  guards: DestinationGuards
  timeoutMs: number
  maxBytes: number
  /** Hands a refusal or failure to the factory's onRefusal hook and returns it for throwing. */
  report(route: string, e: EgressError): EgressError
}

type JsonInit = Omit<EgressRequest, 'method' | 'body'>

/**
 * The EgressClient one route gets: every URL, including each redirect, is checked against its destinations.
 * @example const client = createRouteClient({ route: 'service-status', destinations, policy, guards, timeoutMs: 3000, maxBytes: 1 << 20, report })
 */
export function createRouteClient(d: RouteClientDeps): EgressClient {
  const fail = (e: unknown): EgressError => {
    // Anything unforeseen still reaches the caller as an EgressError, without a query string in its message.
    const err =
      e instanceof EgressError
        ? e
        : new EgressError('network', String((e as Error)?.message ?? e).replace(/\?\S*/g, ''))
    return d.report(d.route, err)
  }

  const respond = (hop: HopResult, target: Target): EgressResponse => ({
    status: hop.status,
    headers: hop.headers,
    text: hop.text,
    json<T = unknown>(): T {
      try {
        return JSON.parse(hop.text) as T
      } catch {
        throw fail(new EgressError('network', `invalid JSON from ${target.safe}`, target.destination))
      }
    },
  })

  async function send(
    url: string,
    method: string,
    headers: Headers,
    init: EgressRequest,
    onText?: (piece: string) => void,
  ): Promise<[EgressResponse, Target]> {
    if (init.body !== undefined && (method === 'GET' || method === 'HEAD')) {
      throw new TypeError(`a ${method} request cannot carry a body`)
    }
    const deadline = new Deadline(init.timeoutMs ?? d.timeoutMs)
    try {
      let target = checkUrl(url, d.policy)
      let hop: HopInit = { method, headers, body: init.body, maxBytes: init.maxBytes ?? d.maxBytes, onText }
      for (let redirects = 0; ; redirects++) {
        const current = target
        const sent = hop
        const result = await d.guards.run(current.destination, () => fetchHop(current, sent, deadline))
        if (result.location === undefined) return [respond(result, current), current]
        if (redirects === MAX_REDIRECTS) {
          throw new EgressError(
            'redirect-refused',
            `${current.safe}: more than ${MAX_REDIRECTS} redirects`,
            current.destination,
          )
        }
        target = redirectTarget(current, result.location, d.policy)
        hop = redirectedInit(hop, result.status, current, target)
      }
    } catch (e) {
      throw fail(e)
    } finally {
      deadline.clear()
    }
  }

  async function checked(
    url: string,
    method: 'GET' | 'POST',
    init: JsonInit,
    body: string | undefined,
    accept: string,
    onText?: (piece: string) => void,
  ): Promise<EgressResponse> {
    const headers = new Headers(init.headers)
    headers.set('accept', accept)
    if (body !== undefined) headers.set('content-type', 'application/json')
    const [res, target] = await send(url, method, headers, { ...init, body }, onText)
    if (res.status < 200 || res.status > 299) {
      throw fail(
        new EgressError(
          'http-status',
          `${method} ${target.safe} answered ${res.status}`,
          target.destination,
          res.status,
        ),
      )
    }
    return res
  }

  async function json<T>(url: string, method: 'GET' | 'POST', init: JsonInit, body?: string): Promise<T> {
    return (await checked(url, method, init, body, 'application/json')).json<T>()
  }

  return {
    destinations: d.destinations,
    async request(url, init = {}) {
      const method = init.method ?? 'GET'
      const [res] = await send(url, method, new Headers(init.headers), init)
      return res
    },
    getJson: <T = unknown>(url: string, init: JsonInit = {}) => json<T>(url, 'GET', init),
    // async so that a body JSON.stringify rejects (cycles, BigInt) becomes a rejection, not a synchronous throw.
    postJson: async <T = unknown>(url: string, body: unknown, init: JsonInit = {}) =>
      json<T>(url, 'POST', init, JSON.stringify(body)),
    postStream: async (url, body, onText, init = {}) =>
      (await checked(url, 'POST', init, JSON.stringify(body), 'text/event-stream, application/json', onText)).text,
  }
}
