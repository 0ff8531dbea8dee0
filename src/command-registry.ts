import type { CommandDefinition } from './define.js'
import { RegistryError } from './errors.js'

// The admin commands from commands/, validated once at start-up and looked up by name.

const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/

/** The admin commands, validated once at start-up. */
export class CommandRegistry {
  private readonly byName = new Map<string, CommandDefinition<unknown>>()

  constructor(readonly commands: readonly CommandDefinition<unknown>[]) {
    const problems: string[] = []
    for (const c of commands) {
      if (!KEBAB.test(c.name)) problems.push(`command "${c.name}": name must be kebab-case`)
      if (this.byName.has(c.name)) problems.push(`command "${c.name}": declared twice`)
      if (!c.handler && !c.action) problems.push(`command "${c.name}": needs an action or a handler`)
      if (!c.usage.startsWith(`/${c.name}`)) problems.push(`command "${c.name}": usage must start with /${c.name}`)
      const rest = (c.positional ?? []).findIndex((p) => p.endsWith('...'))
      if (rest >= 0 && rest !== (c.positional ?? []).length - 1)
        problems.push(`command "${c.name}": only the last positional may end with ...`)
      this.byName.set(c.name, c)
    }
    if (problems.length > 0) throw new RegistryError(problems)
  }

  get(name: string): CommandDefinition<unknown> | undefined {
    return this.byName.get(name)
  }
}
