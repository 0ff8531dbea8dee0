import type { CommandDefinition } from '../src/define.js'

/** Every admin command. Add a command by importing it here; the file name equals the command name. */
export const commands = [] as CommandDefinition<unknown>[]
