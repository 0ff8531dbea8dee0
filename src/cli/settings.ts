import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { ConfigError, loadConfig } from '../config.js'
import { configSchema } from '../config-schema.js'
import type { CliSettings } from './command.js'

/**
 * The bot's own settings (ROUTER_CONFIG, environment, `*_FILE`). When the full configuration does not
 * validate — it may be what broke during an incident — routerctl warns and carries on with the two
 * settings it needs, because refusing would take away the break-glass exactly when it is wanted.
 * @example const { db, auditKey } = resolveSettings(process.env, (line) => process.stderr.write(line + '\n'))
 */
export function resolveSettings(env: NodeJS.ProcessEnv, warn: (line: string) => void): CliSettings {
  try {
    const config = loadConfig(env)
    return { db: config.db, auditKey: config.auditKey, config }
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    // ConfigError lines name settings and problems, never secret values, so they are safe to show.
    warn(
      `routerctl: warning: the bot's configuration does not validate; continuing with ROUTER_DB and ROUTER_AUDIT_KEY only:`,
    )
    for (const problem of err.problems) warn(`  - ${problem}`)
    return fallbackSettings(env, warn)
  }
}

function fallbackSettings(env: NodeJS.ProcessEnv, warn: (line: string) => void): CliSettings {
  const file = lenientYaml(env.ROUTER_CONFIG || undefined)
  const db = env.ROUTER_DB || stringField(file, 'db') || configSchema.shape.db.parse(undefined)
  return { db, auditKey: auditKeyFrom(env, warn) ?? stringField(file, 'auditKey') }
}

function auditKeyFrom(env: NodeJS.ProcessEnv, warn: (line: string) => void): string | undefined {
  if (env.ROUTER_AUDIT_KEY) return env.ROUTER_AUDIT_KEY
  const keyFile = env.ROUTER_AUDIT_KEY_FILE || undefined
  if (!keyFile) return undefined
  try {
    return readFileSync(keyFile, 'utf8').trim() || undefined
  } catch (err) {
    warn(
      `routerctl: warning: cannot read ROUTER_AUDIT_KEY_FILE ${keyFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    )
    return undefined
  }
}

// Only `db` and `auditKey` are wanted from a file that failed validation; anything unreadable is skipped.
function lenientYaml(file: string | undefined): Record<string, unknown> {
  if (!file) return {}
  try {
    const doc: unknown = parseYaml(readFileSync(file, 'utf8'))
    return doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

function stringField(doc: Record<string, unknown>, key: string): string | undefined {
  const value = doc[key]
  return typeof value === 'string' && value !== '' ? value : undefined
}
