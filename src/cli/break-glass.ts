import type { ActionDeps, ActionResult, AdminAction } from '../admin/actions/action.js'
import { runAction } from '../admin/actions/execute.js'
import { actionReply } from '../admin/run-command.js'
import { textsFor } from '../i18n/catalogue.js'
import { configSchema } from '../config-schema.js'
import type { VerifyResult } from '../store/audit.js'
import { CliFailure, EXIT, type CliIo, type ExitCode } from './command.js'
import { cliIdentity } from './os-user.js'
import type { CliSession } from './session.js'

// routerctl's mutating commands: one admin action run through the chat's executor, audited as break-glass.

const MAX_REASON = 500

/** The `--reason` every mutating command declares; the parser refuses the command without it. */
export const reasonFlag = {
  kind: 'value',
  placeholder: '"<text>"',
  required: true,
  validate: (v: string) => (v.length > MAX_REASON ? `keep the reason under ${MAX_REASON} characters` : undefined),
} as const

/**
 * What the admin actions need, from routerctl's session: the bot's stores and skills, and the configuration
 * the session read (its defaults when it does not validate: break-glass must work with a broken config file).
 * @example const deps = cliDeps(session, io)
 */
export function cliDeps(session: CliSession, io: CliIo): ActionDeps {
  const config = session.config ?? configSchema.parse({})
  return { ...session.stores, skills: session.skills, config: { ...config, db: session.dbPath }, now: io.now }
}

/**
 * Runs one admin action as the OS user (SUDO_USER beside it, see os-user.ts), channel `cli`, `breakGlass: true`, through the same executor as
 * chat: the change, its entry and its announcement commit together, and an asynchronous effect (the
 * rollback hook) is audited as its own entry. Prints the result; exit 0 when it was done (or the state
 * already was as asked), 1 when it was refused or failed.
 * @example return runBreakGlass(session, io, disableSkill, { skill: 'ping', reason })
 */
export async function runBreakGlass<I, R>(
  session: CliSession,
  io: CliIo,
  action: AdminAction<I, R>,
  input: I,
): Promise<{ code: ExitCode; done: ActionResult<R> }> {
  const who = cliIdentity(io.env)
  const check = session.stores.audit.verify()
  if (!check.ok && check.count === 0) {
    // Not one entry verifies: almost always a ROUTER_AUDIT_KEY other than the bot's. A change written with
    // it would carry an entry the bot cannot verify, so the bot would ignore it; refuse instead.
    throw new CliFailure(
      `the audit chain does not verify from its first entry (seq ${check.seq}: ${check.reason}): ROUTER_AUDIT_KEY is probably not the bot's key, and the bot would ignore a change written with it. Nothing was changed.`,
    )
  }
  const done = await runAction(cliDeps(session, io), action, input, {
    name: who.actor,
    channel: 'cli',
    osUser: who.osUser,
    sudoUser: who.sudoUser,
    note: chainProblem(check, io),
  })
  if (done.ok) {
    const failed = done.effect && !done.effect.ok
    for (const line of done.reply.split('\n')) (failed ? io.err : io.out)(failed ? `routerctl: ${line}` : line)
    io.out(`(audit seq ${done.entry.seq}${done.effect ? `, follow-up seq ${done.effect.entry.seq}` : ''})`)
    return { code: failed ? EXIT.failed : EXIT.ok, done }
  }
  // routerctl's own output stays English whatever the admin group's language: it is a CLI contract.
  const text = `${actionReply(action.name, done, textsFor('en'))} (audited as seq ${done.entry.seq})`
  if (done.noop) {
    io.out(text)
    return { code: EXIT.ok, done }
  }
  io.err(`routerctl: ${text}`)
  return { code: EXIT.failed, done }
}

// A chain broken further back (an entry edited or deleted) is worth a warning, not a refusal: break-glass
// must still work, and the note travels in the new entry for whoever reviews it.
function chainProblem(check: VerifyResult, io: CliIo): string | undefined {
  if (check.ok) return undefined
  io.err(
    `routerctl: warning: the audit chain does not verify at seq ${check.seq} (${check.reason}); check ROUTER_AUDIT_KEY. Continuing.`,
  )
  return `audit chain did not verify before this entry (seq ${check.seq}: ${check.reason})`
}
