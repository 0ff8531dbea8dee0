import { isoSeconds } from '../time-text.js'

/** One changed setting: its dotted path and the value before and after (undefined = unset). */
export interface Change {
  path: string
  from: unknown
  to: unknown
}

/**
 * Every leaf that differs between two JSON values, by dotted path, sorted. Arrays count as leaves:
 * runtime state keeps none, and a whole-array line reads better than index noise.
 * @example diffJson({ incident: { on: true } }, { incident: { on: false } }) // [{ path: 'incident.on', from: true, to: false }]
 */
export function diffJson(from: unknown, to: unknown): Change[] {
  const a = flatten(from)
  const b = flatten(to)
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort()
  return paths
    .filter((p) => JSON.stringify(a.get(p)) !== JSON.stringify(b.get(p)))
    .map((path) => ({ path, from: a.get(path), to: b.get(path) }))
}

/**
 * One short line per change, at most `max` lines.
 * @example formatChanges([{ path: 'skills.ping.enabled', from: false, to: undefined }]) // ['skills.ping.enabled: false → (unset)']
 */
export function formatChanges(changes: Change[], max = 15): string[] {
  const lines = changes.slice(0, max).map((c) => `${c.path}: ${show(c.from, c.path)} → ${show(c.to, c.path)}`)
  if (changes.length > max) lines.push(`… and ${changes.length - max} more`)
  return lines
}

function show(value: unknown, path: string): string {
  if (value === undefined) return '(unset)'
  // Runtime state keeps times as epoch ms under names like `since` and `expiresAt`; show them readably.
  if (typeof value === 'number' && /(At|since)$/.test(path) && value > 1e12) return isoSeconds(value)
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return text.length > 60 ? `${text.slice(0, 57)}…` : text
}

function flatten(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
    // An empty object is a value of its own (e.g. a budget override with no fields), not nothing.
    if (entries.length === 0 && prefix) out.set(prefix, {})
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out)
  } else if (value !== undefined) {
    out.set(prefix, value)
  }
  return out
}
