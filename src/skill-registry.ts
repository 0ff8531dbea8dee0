import type { SkillDefinition } from './define.js'
import { RegistryError } from './errors.js'
import { measureFloor, type PromptFloor } from './budget/floor.js'
import { isDestination } from './egress/destination.js'

// The skills from skills/, validated once at start-up; `match` picks the skill a message is for.

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/
const ATTACHMENT_TYPES: readonly string[] = ['picture', 'file', 'video']

/** The skills, validated once; `match` picks the first whose pattern fits, in declaration order. */
export class SkillRegistry {
  private readonly byName = new Map<string, SkillDefinition<unknown>>()
  private readonly floors = new Map<string, PromptFloor>()

  constructor(readonly skills: readonly SkillDefinition<unknown>[]) {
    const problems: string[] = []
    for (const s of skills) {
      if (!KEBAB.test(s.name)) problems.push(`skill "${s.name}": name must be kebab-case`)
      if (this.byName.has(s.name)) problems.push(`skill "${s.name}": declared twice`)
      this.byName.set(s.name, s)
      const egress = s.egress ?? []
      for (const d of egress) if (!isDestination(d)) problems.push(`skill "${s.name}": egress "${d}" must be host:port`)
      // A handler that touches ctx.egress must say where it goes; without a list its client reaches nothing.
      const usesNetwork =
        /\begress\b/.test(String(s.handler)) || (s.fallback ? /\begress\b/.test(String(s.fallback)) : false)
      if ((usesNetwork || s.risk === 'external') && egress.length === 0) {
        problems.push(`skill "${s.name}": it reaches the network but declares no egress destinations`)
      }
      if (s.timeoutMs !== undefined && !(s.timeoutMs > 0 && s.timeoutMs <= 120_000))
        problems.push(`skill "${s.name}": timeoutMs must be 1..120000`)
      for (const t of s.attachments ?? [])
        if (!ATTACHMENT_TYPES.includes(t))
          problems.push(`skill "${s.name}": attachments "${t}" must be one of ${ATTACHMENT_TYPES.join(', ')}`)
      if (s.match.global || s.match.sticky) problems.push(`skill "${s.name}": match must not use the g or y flag`)
    }
    if (problems.length > 0) throw new RegistryError(problems)
  }

  get(name: string): SkillDefinition<unknown> | undefined {
    return this.byName.get(name)
  }

  /** Counts each skill's fixed prompt once (the tokenizer loads lazily); the bot and routerctl call it at start. */
  async measurePrompts(): Promise<void> {
    for (const s of this.skills) if (s.fixedPrompt) this.floors.set(s.name, await measureFloor(s.fixedPrompt))
  }

  /** The fixed prompt of a route's requests, once measured; undefined for routes that send no prompt. */
  promptFloor(route: string): PromptFloor | undefined {
    return this.floors.get(route)
  }

  match(text: string): { def: SkillDefinition<unknown>; rawArgs: Record<string, string | undefined> } | undefined {
    for (const def of this.skills) {
      const m = def.match.exec(text)
      if (m) return { def, rawArgs: { ...(m.groups ?? {}) } }
    }
    return undefined
  }
}
