import { createHmac } from 'node:crypto'
import type { RouterConfig } from './config.js'
import { isSecretKey } from './redact.js'

/** Flattens the config to `dotted.key → text`; secret values become a keyed digest, never the value. */
export function configFingerprint(config: RouterConfig, key: Buffer): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (value: unknown, path: string[]) => {
    const name = path.join('.')
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k])
      return
    }
    if (value === undefined) return
    const text = JSON.stringify(value)
    out[name] =
      isSecretKey(path.at(-1) ?? '') || name === 'dingtalk.clientId'
        ? `secret:${createHmac('sha256', key).update(text).digest('hex').slice(0, 16)}`
        : text
  }
  walk(config, [])
  return out
}

export interface ConfigChange {
  changed: string[]
  /** Old and new values, only for settings that are not secret. */
  values: Record<string, { old: string | null; new: string | null }>
}

/** What differs between two fingerprints: every changed key, and values only where they are not secret. */
export function diffFingerprints(before: Record<string, string>, after: Record<string, string>): ConfigChange {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()
  const changed = keys.filter((k) => before[k] !== after[k])
  const values: ConfigChange['values'] = {}
  for (const k of changed) {
    const secret = (before[k] ?? after[k] ?? '').startsWith('secret:')
    if (!secret) values[k] = { old: before[k] ?? null, new: after[k] ?? null }
  }
  return { changed, values }
}
