import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** The bench's own entry and what it imports besides the app; compiled next to the production build. */
const BENCH_FILES = ['router-entry.ts', 'sleep-skill.ts', 'ipc.ts', 'alloc-profile.ts']

/** Where the compiled router entry of the bench lands: it imports the app from `dist/src`, the production build. */
export const BUILT_ROUTER_ENTRY = join(ROOT, 'dist/test/bench/router-entry.js')

/**
 * Runs `npm run build` (the production build the image runs) once, then transpiles the bench's router entry
 * into `dist/test/bench/`, so the router child runs compiled JavaScript with plain `node`, no tsx loader.
 * @returns seconds the build took.
 */
export function buildForBench(): number {
  const t0 = Date.now()
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] })
  const outDir = join(ROOT, 'dist/test/bench')
  mkdirSync(outDir, { recursive: true })
  for (const file of BENCH_FILES) {
    const source = readFileSync(join(ROOT, 'test/bench', file), 'utf8')
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: file,
    })
    writeFileSync(join(outDir, basename(file, '.ts') + '.js'), outputText)
  }
  return Math.round((Date.now() - t0) / 100) / 10
}
