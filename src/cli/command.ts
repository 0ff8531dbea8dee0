import type { RouterConfig } from '../config.js'
import type { CliSession } from './session.js'

// What a routerctl command is: its flags and arguments, its input, its exit codes and its errors.

/** Exit codes fixed by CONTRACT.md: done, refused or failed (message on stderr), usage error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const
export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** Where a command writes and what it reads from the outside world; tests and the entry pass real ones. */
export interface CliIo {
  out(line: string): void
  err(line: string): void
  env: NodeJS.ProcessEnv
  now(): number
}

/** One `--flag`: a switch, or a flag that takes a value (`--since 5` or `--since=5`). */
export interface FlagSpec {
  kind: 'switch' | 'value'
  /** Shown in the usage line, e.g. `<seq>`. */
  placeholder?: string
  required?: boolean
  /** Checked while parsing, before any database is opened: the problem with `value`, or undefined. */
  validate?: (value: string) => string | undefined
}

/** What the parser hands a command: its positionals by name and its flags. */
export interface CliArgs {
  positionals: Record<string, string>
  flags: Record<string, string | true>
}

/** Everything a routerctl command's `run` may use. Read commands get a session on an existing database. */
export interface CliCommandInput {
  args: CliArgs
  io: CliIo
  session: CliSession
}

/**
 * One routerctl command. `name` may be several words (`audit export`, later `incident on`); the parser
 * picks the longest name the leading words match. A `mutates` command must declare `--reason`.
 * @example
 * const status: CliCommand = { name: 'status', summary: 'router state', positionals: [], flags: { json: { kind: 'switch' } },
 *   mutates: false, run: ({ session, io }) => { io.out(String(session.stores.state.current().version)); return EXIT.ok } }
 */
export interface CliCommand {
  name: string
  summary: string
  positionals: string[]
  flags: Record<string, FlagSpec>
  mutates: boolean
  run(input: CliCommandInput): ExitCode | Promise<ExitCode>
}

/** Bad invocation: the message and the usage go to stderr, exit 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: CliCommand,
  ) {
    super(message)
    this.name = 'UsageError'
  }
}

/** A refusal or failure the operator can act on: the message goes to stderr, exit 1. */
export class CliFailure extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CliFailure'
  }
}

/** The settings routerctl needs; `config` is absent when the bot's full configuration does not validate. */
export type CliSettings = Pick<RouterConfig, 'db' | 'auditKey'> & { config?: RouterConfig }
