import { userInfo } from 'node:os'

/** Who runs routerctl, as recorded in every entry it writes. */
export interface CliIdentity {
  /** The OS account of the process, from its uid (never from USER, LOGNAME or any other variable). */
  osUser: string
  /** `SUDO_USER` when set: who sudo says invoked it. Recorded beside the account, never instead of it. */
  sudoUser?: string
  /** The audit actor: the account, with the sudo claim when there is one, e.g. `root (sudo: alice)`. */
  actor: string
}

const NAME = /^[A-Za-z0-9._-]{1,64}$/

/**
 * The invoking OS user and, separately, SUDO_USER. The account comes from the uid (`os.userInfo()`): a
 * variable can be set by anyone, so a spoofed USER changes nothing and a spoofed SUDO_USER can only add a
 * claim next to the real account. A uid without a passwd entry is recorded as `uid:<n>`.
 * @example cliIdentity({ SUDO_USER: 'alice' }) // { osUser: 'root', sudoUser: 'alice', actor: 'root (sudo: alice)' }
 */
export function cliIdentity(env: NodeJS.ProcessEnv): CliIdentity {
  const osUser = accountName()
  const claimed = env.SUDO_USER?.trim()
  if (!claimed) return { osUser, actor: osUser }
  const sudoUser = NAME.test(claimed) ? claimed : `unreadable(${claimed.length} chars)`
  return { osUser, sudoUser, actor: `${osUser} (sudo: ${sudoUser})` }
}

function accountName(): string {
  try {
    const name = userInfo().username
    if (name) return name
  } catch {
    // Containers may run under a uid with no passwd entry; say so rather than invent a name.
  }
  return `uid:${process.getuid?.() ?? 'unknown'}`
}
