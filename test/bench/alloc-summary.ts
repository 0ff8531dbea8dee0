import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { frameBucket } from './frame-bucket.js'

// Usage: npx tsx test/bench/alloc-summary.ts <file.heapprofile> [top=25]
// Prints where a process allocated (sampled, garbage included; see alloc-profile.ts): the functions
// allocating most themselves, the same per package / source folder, and our functions with callees.

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}

interface HeapNode {
  callFrame: CallFrame
  selfSize: number
  children: HeapNode[]
}

const where = (cf: CallFrame) =>
  cf.url ? `${relative(process.cwd(), cf.url.replace(/^file:\/\//, ''))}:${cf.lineNumber + 1}` : ''
const keyOf = (cf: CallFrame) => `${cf.functionName || '(anonymous)'} ${where(cf)}`.trim()

function main(): void {
  const file = process.argv[2]
  const top = Number(process.argv[3] ?? 25)
  if (!file) {
    process.stderr.write('usage: tsx test/bench/alloc-summary.ts <file.heapprofile> [top]\n')
    process.exit(2)
  }
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode }
  const self = new Map<string, number>()
  const pkg = new Map<string, number>()
  const incl = new Map<string, number>()
  const ours = (url: string) => /\/(src|commands|skills)\//.test(url) && !url.includes('node_modules')
  const walk = (n: HeapNode, onStack: Set<string>): number => {
    const key = keyOf(n.callFrame)
    self.set(key, (self.get(key) ?? 0) + n.selfSize)
    pkg.set(frameBucket(n.callFrame.url), (pkg.get(frameBucket(n.callFrame.url)) ?? 0) + n.selfSize)
    const fresh = ours(n.callFrame.url) && !onStack.has(key)
    if (fresh) onStack.add(key)
    let sum = n.selfSize
    for (const c of n.children) sum += walk(c, onStack)
    if (fresh) {
      onStack.delete(key)
      incl.set(key, (incl.get(key) ?? 0) + sum)
    }
    return sum
  }
  const total = walk(head, new Set())
  const pct = (b: number) => `${((b / total) * 100).toFixed(1).padStart(5)}%`
  const print = (title: string, m: Map<string, number>) => {
    process.stdout.write(`\n${title}:\n`)
    for (const [k, b] of [...m].sort((a, c) => c[1] - a[1]).slice(0, top))
      process.stdout.write(`  ${pct(b)}  ${(b / 1e6).toFixed(1).padStart(8)} MB  ${k}\n`)
  }
  process.stdout.write(`allocation profile ${file}: ${(total / 1e6).toFixed(0)} MB sampled in all\n`)
  print(`top ${top} functions by bytes allocated themselves`, self)
  print('by package / folder', pkg)
  print(`top ${top} of our functions (src/, commands/, skills/) with callees`, incl)
}

main()
