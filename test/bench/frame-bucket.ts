import { relative } from 'node:path'

/**
 * Where a profiled frame comes from: an npm package, one of our folders, node internals, or V8 itself.
 * Shared by the CPU and the allocation profile summaries so both group the same way.
 * @example frameBucket('file:///app/node_modules/@pinojs/redact/index.js') // '@pinojs/redact'
 */
export function frameBucket(url: string): string {
  if (!url) return '(native / V8)'
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0]
  const nm = url.lastIndexOf('node_modules/')
  if (nm !== -1) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/')
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!
  }
  const path = url.replace(/^file:\/\//, '')
  const rel = relative(process.cwd(), path)
  return rel.startsWith('..') ? path : rel.split('/').slice(0, 2).join('/')
}
