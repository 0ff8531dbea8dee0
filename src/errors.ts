import { randomUUID } from 'node:crypto'
import { scrubSecrets } from './redact.js'

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
  // The first 8 hex digits of a v4 UUID are 32 random bits. randomUUID draws from an entropy cache Node
  // refills in bulk; randomBytes(4) was a call into the CSPRNG per message (about 5 % of the router's busy
  // time in a burst, measured with the bench's CPU profile).
  return randomUUID().slice(0, 8)
}

/**
 * Reduces anything thrown to a message string without trusting its shape, scrubbed of the process's known
 * secrets: the text ends up in chat replies (`/rollback failed: …`), audit details and error events, and an
 * error from a library may quote what it was given (`Headers.append: "Bearer sk-…" is an invalid header value`).
 */
export function errorMessage(err: unknown): string {
  return scrubSecrets(rawErrorMessage(err))
}

function rawErrorMessage(err: unknown): string {
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
