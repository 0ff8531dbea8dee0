import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { frameBucket } from './frame-bucket.js'

// Usage: npx tsx test/bench/profile-summary.ts <file.cpuprofile> [top=25]
// Prints the functions with the most self time, then self time per package / source folder, from a
// V8 CPU profile written by `npm run bench -- --profile` (node --cpu-prof on each child).

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}

interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

function main(): void {
  const file = process.argv[2]
  const top = Number(process.argv[3] ?? 25)
  if (!file) {
    process.stderr.write('usage: tsx test/bench/profile-summary.ts <file.cpuprofile> [top]\n')
    process.exit(2)
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const selfUs = new Map<number, number>()
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0)
  const idle = [...selfUs]
    .filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)')
    .reduce((a, [, v]) => a + v, 0)
  const fn = new Map<string, number>()
  const pkg = new Map<string, number>()
  for (const [id, us] of selfUs) {
    const cf = byId.get(id)!.callFrame
    if (cf.functionName === '(idle)') continue
    const where = cf.url ? `${relative(process.cwd(), cf.url.replace(/^file:\/\//, ''))}:${cf.lineNumber + 1}` : ''
    const key = `${cf.functionName || '(anonymous)'} ${where}`.trim()
    fn.set(key, (fn.get(key) ?? 0) + us)
    const b = frameBucket(cf.url)
    pkg.set(b, (pkg.get(b) ?? 0) + us)
  }
  const busy = total - idle
  const pct = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)}%`
  process.stdout.write(
    `profile ${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (percentages of busy)\n\n`,
  )
  process.stdout.write(`top ${top} functions by self time:\n`)
  for (const [k, us] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`  ${pct(us)}  ${k}\n`)
  process.stdout.write('\nself time by package / folder:\n')
  for (const [k, us] of [...pkg].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`  ${pct(us)}  ${k}\n`)
  process.stdout.write(`\ntop ${top} of our functions (src/, commands/, skills/) by total time, callees included:\n`)
  for (const [k, us] of [...inclusive(profile, selfUs)].sort((a, b) => b[1] - a[1]).slice(0, top))
    process.stdout.write(`  ${pct(us)}  ${k}\n`)
}

/** Total (self + callees) time per function of ours, counting a function once per stack even when it recurses. */
function inclusive(profile: CpuProfile, selfUs: Map<number, number>): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const totals = new Map<string, number>()
  const ours = (url: string) => /\/(src|commands|skills)\//.test(url) && !url.includes('node_modules')
  const keyOf = (cf: CallFrame) =>
    `${cf.functionName || '(anonymous)'} ${relative(process.cwd(), cf.url.replace(/^file:\/\//, ''))}:${cf.lineNumber + 1}`
  const walk = (id: number, onStack: Set<string>): number => {
    const node = byId.get(id)!
    let sum = selfUs.get(id) ?? 0
    const key = ours(node.callFrame.url) ? keyOf(node.callFrame) : undefined
    const fresh = key !== undefined && !onStack.has(key)
    if (fresh) onStack.add(key!)
    for (const child of node.children ?? []) sum += walk(child, onStack)
    if (fresh) {
      onStack.delete(key!)
      totals.set(key!, (totals.get(key!) ?? 0) + sum)
    }
    return sum
  }
  const root = profile.nodes[0]
  if (root) walk(root.id, new Set())
  return totals
}

main()
