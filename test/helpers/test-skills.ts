/**
 * Skills made for tests: they count their runs, wait at a gate the test opens, or take files. Every one is a
 * real definition (defineSkill), registered and run by the real router like any other skill.
 */
import { createHash } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { defineSkill, type SkillDefinition } from '../../src/define.js'

/** A promise with its resolve exposed, for handlers the test releases. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}
/** A skill that counts its runs: `count` answers `counted <n>`. */
export function countingSkill(name = 'count'): { skill: SkillDefinition<unknown>; runs: () => number } {
  let runs = 0
  const skill = defineSkill({
    name,
    description: 'Counts how often it ran (tests)',
    example: name,
    match: new RegExp(`^${name}$`),
    risk: 'read',
    handler: () => `counted ${++runs}`,
  }) as SkillDefinition<unknown>
  return { skill, runs: () => runs }
}

/**
 * A skill whose handler waits until the test releases it. `started` resolves when the handler runs;
 * `release(text)` lets it answer.
 */
export function gatedSkill(name = 'slow', timeoutMs = 20_000) {
  let started = deferred()
  let gate = deferred<string>()
  let pending = 0
  const skill = defineSkill({
    name,
    description: 'Answers when the test says so (tests)',
    example: name,
    match: new RegExp(`^${name}$`),
    risk: 'read',
    timeoutMs,
    handler: async () => {
      pending++
      started.resolve()
      try {
        return await gate.promise
      } finally {
        pending--
      }
    },
  }) as SkillDefinition<unknown>
  return {
    skill,
    started: () => started.promise,
    pending: () => pending,
    release(text = `${name} done`) {
      gate.resolve(text)
      gate = deferred<string>()
      started = deferred()
    },
  }
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

/** A skill that accepts pictures and files, fetches each through DingTalk and answers with its size and digest. */
export const keepFile = defineSkill({
  name: 'keep-file',
  description: 'Keeps the pictures and files you send with "keep"',
  example: 'keep (with a screenshot)',
  match: /^keep\b/i,
  risk: 'read',
  attachments: ['picture', 'file'],
  async handler({ ctx }) {
    if (!ctx.download) return 'no download helper'
    const lines: string[] = []
    for (const file of ctx.attachments) {
      const got = await ctx.download(file)
      const sha = createHash('sha256').update(got.bytes).digest('hex').slice(0, 12)
      lines.push(`${file.type} ${file.name ?? '-'} ${got.bytes.length} bytes sha256:${sha}`)
    }
    return lines.join('\n') || 'nothing attached'
  },
}) as SkillDefinition<unknown>
