import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { createSkills } from '../../skills/index.js'
import { ConfigError, type RouterConfig } from '../config.js'
import { SkillRegistry } from '../skill-registry.js'
import { openStores } from '../store/open.js'
import { CliFailure, type CliSettings } from './command.js'

// One routerctl run's session: the bot's configuration read once, its database and stores, its skills.

type Stores = ReturnType<typeof openStores>['stores']

/**
 * One routerctl run's view of the bot: its configuration as read once at the start, an open database with
 * its stores, and its skill list; `close()` when done.
 */
export interface CliSession {
  dbPath: string
  /** The bot's full configuration, or undefined when it does not validate (break-glass carries on without it). */
  config?: RouterConfig
  stores: Stores
  skills: SkillRegistry
  close(): void
}

/**
 * Opens the bot's existing database (migrating it as the bot would) with the bot's audit key.
 * Refuses a missing database for every command: a mistyped ROUTER_DB must not quietly produce a fresh
 * file that the bot never reads, nor a freshly generated key that would fork the audit chain.
 * @example const session = openSession({ db: './data/router.db', auditKey: undefined }); try { … } finally { session.close() }
 */
export function openSession(settings: CliSettings): CliSession {
  if (settings.db === ':memory:')
    throw new CliFailure('ROUTER_DB is :memory:, which only the bot process can see — set ROUTER_DB to a file')
  const dbPath = resolve(settings.db)
  if (!existsSync(dbPath)) throw new CliFailure(`no database at ${dbPath} — set ROUTER_DB`)
  const keyFile = join(dirname(dbPath), 'audit.key')
  if (!settings.auditKey && !existsSync(keyFile)) {
    throw new CliFailure(
      `no audit key: ROUTER_AUDIT_KEY is not set and there is no ${keyFile} — set ROUTER_AUDIT_KEY (or ROUTER_AUDIT_KEY_FILE) as the bot has it`,
    )
  }
  let opened: ReturnType<typeof openStores>
  try {
    opened = openStores({ db: dbPath, auditKey: settings.auditKey })
  } catch (err) {
    if (err instanceof ConfigError) throw new CliFailure(err.problems.join('; '))
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY') {
      throw new CliFailure(
        `cannot open ${dbPath} or its audit key (${code}) — run routerctl as the bot's user, e.g. sudo -u <bot-user> routerctl …`,
      )
    }
    throw err
  }
  return {
    dbPath,
    config: settings.config,
    stores: opened.stores,
    // Skills built from the bot's config declare the same egress; without a valid config they still list.
    skills: new SkillRegistry(createSkills(settings.config)),
    close: () => opened.db.close(),
  }
}
