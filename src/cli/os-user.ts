import { userInfo } from 'node:os'

/**
 * Who is at the keyboard: `SUDO_USER` when routerctl runs under sudo (the person, not root), else the
 * OS account. This is the actor of every break-glass entry.
 * @example osUser({ SUDO_USER: 'alice' }) // 'alice'
 */
export function osUser(env: NodeJS.ProcessEnv): string {
  if (env.SUDO_USER) return env.SUDO_USER
  try {
    return userInfo().username
  } catch {
    // Containers may run under a uid with no passwd entry; say so rather than invent a name.
    return env.USER || env.LOGNAME || `uid:${process.getuid?.() ?? 'unknown'}`
  }
}
