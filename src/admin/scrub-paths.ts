import { sep } from 'node:path'

// An absolute file path: POSIX (two or more segments, optionally as a file:// URL) or Windows (C:\…). Not
// the path part of an http(s) URL: a match may not follow a word character, a dot, a colon or a slash.
const ABSOLUTE = /(?<![\w.:/\\-])(?:file:\/\/)?(?:\/[^\s/'"`()<>,;|]+){2,}\/?|(?<![\w])[A-Za-z]:\\[^\s'"`()<>,;|]+/g

/**
 * Replaces the server's absolute file paths in text shown in chat: a path under the project folder becomes
 * relative to it (`skills/service-status.ts:48:13` still places the fault), any other keeps only its last
 * part (`…/router.db`). Where the server keeps its files is nobody's business in a chat.
 * @example scrubPaths('at run (/srv/router/skills/ping.ts:3:9)', '/srv/router') // 'at run (skills/ping.ts:3:9)'
 */
export function scrubPaths(text: string, root = process.cwd()): string {
  const prefix = root.endsWith(sep) ? root : root + sep
  return text.replace(ABSOLUTE, (match) => {
    const path = match.startsWith('file://') ? match.slice('file://'.length) : match
    if (path.startsWith(prefix) && path.length > prefix.length) return path.slice(prefix.length)
    const last = path
      .replace(/[/\\]+$/, '')
      .split(/[/\\]/)
      .at(-1)
    return `…/${last ?? ''}`
  })
}
