import { EventEmitter } from 'node:events'
import { defineSkill, type SkillDefinition } from '../../src/define.js'
import type { RouterConfig } from '../../src/config.js'

/** A router config for queue tests: the pool size given, rate limits out of the way. */
export function queueConfig(concurrency: number, more: Partial<RouterConfig['limits']> = {}) {
  return (c: RouterConfig): RouterConfig => ({
    ...c,
    limits: { ...c.limits, perUserPerMinute: 10_000, perConversationPerMinute: 100_000, concurrency, ...more },
  })
}

/**
 * Skills whose handlers wait at one shared gate and count how many run at once: `probe.running` now,
 * `probe.peak` the most ever; `probe` emits `running` on every change.
 */
export function concurrencyProbe(names: string[]) {
  const probe = Object.assign(new EventEmitter(), { running: 0, peak: 0 })
  let open!: () => void
  const gate = new Promise<void>((resolve) => {
    open = resolve
  })
  const skills = names.map(
    (name) =>
      defineSkill({
        name,
        description: 'Waits at the test gate (tests)',
        example: name,
        match: new RegExp(`^${name} \\d+$`),
        risk: 'read',
        timeoutMs: 120_000,
        handler: async ({ text }) => {
          probe.running++
          probe.peak = Math.max(probe.peak, probe.running)
          probe.emit('running')
          try {
            await gate
            return `done ${text}`
          } finally {
            probe.running--
            probe.emit('running')
          }
        },
      }) as SkillDefinition<unknown>,
  )
  return { probe, skills, open: () => open() }
}

/** Reads every sample of /metrics into a map `name{labels}` → value. */
export async function scrape(httpUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text()
  const out = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue
    const at = line.lastIndexOf(' ')
    out.set(line.slice(0, at), Number(line.slice(at + 1)))
  }
  return out
}
