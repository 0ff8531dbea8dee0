import { randomBytes } from 'node:crypto'

/**
 * An error whose message is safe to show the person in the chat.
 * Everything else is internal: logged in full, and the user sees only a reference id.
 * @example throw new UserError('No skill named "foo". Try /skills.')
 */
export class UserError extends Error {
  readonly expose = true
  constructor(
    message: string,
    readonly code = 'user_error',
  ) {
    super(message)
    this.name = 'UserError'
  }
}

/** True when the error carries a message meant for the user. */
export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError
}

/**
 * A short id the user can quote to an operator; the same id is in the log line.
 * @example const ref = newReferenceId() // 'e7f3a1c2'
 */
export function newReferenceId(): string {
  return randomBytes(4).toString('hex')
}

/** Reduces anything thrown to a message string without trusting its shape. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message
  try {
    return String(err)
  } catch {
    return 'unprintable error'
  }
}

/** A skill or command definition problem found at start-up, before the bot connects. */
export class RegistryError extends Error {
  constructor(problems: string[]) {
    super(`invalid definitions:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'RegistryError'
  }
}
