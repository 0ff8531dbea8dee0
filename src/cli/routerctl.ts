/**
 * routerctl — the break-glass CLI. It works on the bot's SQLite file directly, so it works while the bot
 * is down or hung; the running bot reads the same rows and follows within a second.
 * Run: `npm run routerctl -- <command>` or the installed `routerctl` bin (bin/routerctl.mjs).
 */
import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { errorMessage, isUserError } from '../errors.js'
import { parseArgv, type ParsedArgv } from './args.js'
import { CliFailure, EXIT, UsageError, type CliIo, type ExitCode } from './command.js'
import { cliCommands } from './commands/index.js'
import { openSession, type CliSession } from './session.js'
import { resolveSettings } from './settings.js'
import { usageLine, usageText } from './usage.js'

/** Standard streams, the process environment and the wall clock. */
export function processIo(): CliIo {
  return {
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
    env: process.env,
    now: Date.now,
  }
}

/**
 * Runs one routerctl invocation and returns its exit code; never calls process.exit, so output flushes.
 * @example process.exitCode = await main(['audit', 'verify'])
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<ExitCode> {
  let parsed: ParsedArgv
  try {
    parsed = parseArgv(argv, cliCommands)
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    return usageFailure(io, err)
  }
  if (parsed.kind === 'help') {
    // CONTRACT: usage goes to stderr with exit 2, so scripts never mistake help for a result.
    io.err(parsed.command ? `usage: ${usageLine(parsed.command)}\n  ${parsed.command.summary}` : usageText(cliCommands))
    return EXIT.usage
  }
  let session: CliSession | undefined
  try {
    session = openSession(resolveSettings(io.env, io.err))
    return await parsed.command.run({ args: parsed.args, io, session })
  } catch (err) {
    if (err instanceof UsageError) return usageFailure(io, err)
    if (err instanceof CliFailure || isUserError(err)) io.err(`routerctl: ${err.message}`)
    else io.err(`routerctl: ${parsed.command.name} failed: ${errorMessage(err)}`)
    return EXIT.failed
  } finally {
    session?.close()
  }
}

function usageFailure(io: CliIo, err: UsageError): ExitCode {
  io.err(`routerctl: ${err.message}`)
  io.err(err.command ? `usage: ${usageLine(err.command)}` : usageText(cliCommands))
  return EXIT.usage
}

function isEntryPoint(): boolean {
  const script = process.argv[1]
  if (!script) return false
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}

if (isEntryPoint()) {
  // `routerctl audit export | head` closes the pipe early; that is a normal end, not a failure.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw err
  })
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`routerctl: ${errorMessage(err)}\n`)
      process.exitCode = EXIT.failed
    },
  )
}
