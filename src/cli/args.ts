import { UsageError, type CliArgs, type CliCommand } from './command.js'

/** What the command line asked for: a command with its arguments, or help (for one command or all). */
export type ParsedArgv = { kind: 'run'; command: CliCommand; args: CliArgs } | { kind: 'help'; command?: CliCommand }

/**
 * Splits argv into a command (longest multi-word name first), positionals and `--flags`.
 * Strict on purpose: a break-glass tool must not guess what an operator meant.
 * @throws UsageError for an unknown command or flag, a missing or extra argument, or a repeated flag.
 * @example
 * parseArgv(['disable-skill', 'ping', '--reason', 'flapping'], commands)
 * // { kind: 'run', command: <disable-skill>, args: { positionals: { skill: 'ping' }, flags: { reason: 'flapping' } } }
 */
export function parseArgv(argv: readonly string[], commands: readonly CliCommand[]): ParsedArgv {
  const command = matchCommand(argv, commands)
  if (!command) {
    if (argv.some(isHelp)) return { kind: 'help' }
    throw new UsageError(unknownCommandMessage(argv, commands))
  }
  const args = parseRest(argv.slice(command.name.split(' ').length), command)
  return args === 'help' ? { kind: 'help', command } : { kind: 'run', command, args }
}

const isHelp = (token: string) => token === '--help' || token === '-h'

function matchCommand(argv: readonly string[], commands: readonly CliCommand[]): CliCommand | undefined {
  let best: CliCommand | undefined
  for (const c of commands) {
    const words = c.name.split(' ')
    const fits = words.every((w, i) => argv[i] === w)
    if (fits && (!best || words.length > best.name.split(' ').length)) best = c
  }
  return best
}

function unknownCommandMessage(argv: readonly string[], commands: readonly CliCommand[]): string {
  const first = argv[0]
  if (first === undefined) return 'no command given'
  if (first.startsWith('-')) return `unknown option ${first.slice(0, 40)}`
  // A group word alone (`audit`) deserves the list of what follows it, not "unknown command".
  const group = commands.filter((c) => c.name.startsWith(`${first} `)).map((c) => c.name.slice(first.length + 1))
  if (group.length > 0) return `${first} needs one of: ${group.join(' | ')}`
  return `unknown command "${first.slice(0, 40)}"`
}

function parseRest(rest: readonly string[], command: CliCommand): CliArgs | 'help' {
  const positionals: string[] = []
  const flags: Record<string, string | true> = {}
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i]!
    if (token === '--') {
      positionals.push(...rest.slice(i + 1))
      break
    }
    if (!token.startsWith('-') || token === '-') {
      positionals.push(token)
      continue
    }
    if (isHelp(token)) return 'help'
    const eq = token.indexOf('=')
    const name = token.slice(2, eq === -1 ? undefined : eq)
    const spec = token.startsWith('--') ? command.flags[name] : undefined
    if (!spec) throw new UsageError(`unknown option ${token.slice(0, 40)}`, command)
    if (name in flags) throw new UsageError(`--${name} given twice`, command)
    if (spec.kind === 'switch') {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`, command)
      flags[name] = true
      continue
    }
    // The value is the next word whatever it looks like: a reason may well start with a dash.
    const value = eq !== -1 ? token.slice(eq + 1) : rest[++i]
    if (value === undefined || value.trim() === '') throw new UsageError(`--${name} needs a value`, command)
    const problem = spec.validate?.(value)
    if (problem) throw new UsageError(`--${name}: ${problem}`, command)
    flags[name] = value
  }
  if (positionals.length < command.positionals.length) {
    throw new UsageError(`missing <${command.positionals[positionals.length]}>`, command)
  }
  if (positionals.length > command.positionals.length) {
    throw new UsageError(`unexpected argument "${positionals[command.positionals.length]!.slice(0, 40)}"`, command)
  }
  for (const [name, spec] of Object.entries(command.flags)) {
    if (spec.required && !(name in flags))
      throw new UsageError(`--${name}${spec.placeholder ? ` ${spec.placeholder}` : ''} is required`, command)
  }
  return { positionals: Object.fromEntries(command.positionals.map((p, i) => [p, positionals[i]!])), flags }
}
