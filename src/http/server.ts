import Router from '@koa/router'
import Koa from 'koa'
import type { Server } from 'node:http'
import type { RouterMode } from '../config.js'
import type { Logger } from '../logger.js'
import { hostRefusal } from './local-request.js'
import type { Registry } from 'prom-client'

// The loopback HTTP listener: health, readiness, metrics and status, and no admin endpoint.

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1'])

export interface ReadinessCheck {
  ready: boolean
  checks: Record<string, { ok: boolean; detail?: string }>
}

export interface HttpOptions {
  host: string
  port: number
  allowPublic: boolean
  /** Shown in /ready beside the checks; default `dingtalk`. */
  mode?: RouterMode
  log: Logger
  readiness: () => ReadinessCheck
  status: () => unknown
  registry: Registry
}

/** Refuses a non-loopback listener unless explicitly opted in; the caller exits with this message. */
export function checkListenHost(host: string, allowPublic: boolean): string | undefined {
  if (LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host)) return undefined
  if (allowPublic) return undefined
  return `ROUTER_HTTP_HOST=${host} is not a loopback address; health and metrics stay on 127.0.0.1 unless ROUTER_HTTP_ALLOW_PUBLIC=1 (for a container whose port is published on 127.0.0.1 only)`
}

/**
 * Health, readiness, metrics and status over HTTP, loopback only. There is no admin endpoint.
 * @example const server = await startHttpServer({ host: '127.0.0.1', port: 8080, ... })
 */
export async function startHttpServer(opts: HttpOptions): Promise<Server> {
  const refusal = checkListenHost(opts.host, opts.allowPublic)
  if (refusal) throw new Error(refusal)
  if (!LOOPBACK_HOSTS.has(opts.host) && !/^127\./.test(opts.host)) {
    opts.log.warn({ host: opts.host }, 'health/metrics listener is not on loopback (ROUTER_HTTP_ALLOW_PUBLIC=1)')
  }
  const app = new Koa()
  const router = new Router()
  let lastTick = Date.now()
  // The event loop is responsive while this timer keeps firing on time.
  const ticker = setInterval(() => {
    lastTick = Date.now()
  }, 1000)
  ticker.unref()

  router.get('/healthz', (ctx) => {
    const lagMs = Date.now() - lastTick
    ctx.status = lagMs < 5000 ? 200 : 503
    ctx.body = { status: ctx.status === 200 ? 'ok' : 'event loop stalled' }
  })
  router.get('/ready', (ctx) => {
    const r = opts.readiness()
    ctx.status = r.ready ? 200 : 503
    ctx.body = { ready: r.ready, mode: opts.mode ?? 'dingtalk', checks: r.checks }
  })
  router.get('/metrics', async (ctx) => {
    ctx.set('Content-Type', opts.registry.contentType)
    ctx.body = await opts.registry.metrics()
  })
  router.get('/status', (ctx) => {
    ctx.body = opts.status()
  })
  app.use(async (ctx, next) => {
    // A DNS-rebinding page reaches this port under its own name: only loopback names may read /status.
    // The port is not checked: a container's published port differs from the one it listens on.
    const refusal = hostRefusal(ctx.req)
    if (refusal) {
      ctx.status = 403
      ctx.body = { error: refusal }
      return
    }
    try {
      await next()
    } catch (err) {
      opts.log.error({ err: (err as Error).message, path: ctx.path }, 'http handler failed')
      ctx.status = 500
      ctx.body = { error: 'internal error' }
    }
  })
  app.use(router.routes())
  app.use(router.allowedMethods())
  const server = app.listen(opts.port, opts.host)
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  server.on('close', () => clearInterval(ticker))
  return server
}
