import { ConfigError, loadConfig, type RouterConfig } from '../../config.js'
import { joinHostPort } from '../../egress/destination.js'
import type { CliIo } from '../command.js'

/**
 * The bot's full configuration for the ops commands that need more than ROUTER_DB (operators, the
 * rollback hook, the HTTP port), or undefined with a warning when it does not validate: break-glass
 * keeps working on what it can.
 * @example const config = botConfig(io) // undefined when ROUTER_CONFIG is broken
 */
export function botConfig(io: CliIo): RouterConfig | undefined {
  try {
    return loadConfig(io.env)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    return undefined
  }
}

/**
 * Where the bot answers /ready, as seen from the same host (0.0.0.0 inside a container means loopback here).
 * @example readyUrl(config) // 'http://127.0.0.1:8080/ready'
 */
export function readyUrl(config: RouterConfig | undefined): string {
  const host = !config || ['0.0.0.0', '::'].includes(config.http.host) ? '127.0.0.1' : config.http.host
  return `http://${joinHostPort(host, config?.http.port ?? 8080)}/ready`
}
