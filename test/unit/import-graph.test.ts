import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../..')
const SRC = join(ROOT, 'src')

/** One import of a file under src/: the file it names (relative to the repo) and whether it is `import type`. */
interface Edge {
  to: string
  typeOnly: boolean
}

/** Every .ts file under src/ and the src/ files it imports, read with the TypeScript parser. */
function importGraph(): Map<string, Edge[]> {
  const graph = new Map<string, Edge[]>()
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))
  for (const file of files.map((f) => join(SRC, f))) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
    const edges: Edge[] = []
    const add = (specifier: string, typeOnly: boolean): void => {
      if (!specifier.startsWith('.')) return
      const target = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'))
      if (target.startsWith(SRC)) edges.push({ to: relative(ROOT, target), typeOnly })
    }
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        add(node.moduleSpecifier.text, importsOnlyTypes(node.importClause))
      } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        add(node.moduleSpecifier.text, node.isTypeOnly)
      } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const [arg] = node.arguments
        if (arg && ts.isStringLiteral(arg)) add(arg.text, false)
      }
      ts.forEachChild(node, visit)
    }
    visit(source)
    graph.set(relative(ROOT, file), edges)
  }
  return graph
}

function importsOnlyTypes(clause: ts.ImportClause | undefined): boolean {
  if (!clause) return false // `import './x.js'` runs the module
  if (clause.isTypeOnly) return true
  const named = clause.namedBindings
  return (
    !clause.name &&
    !!named &&
    ts.isNamedImports(named) &&
    named.elements.length > 0 &&
    named.elements.every((e) => e.isTypeOnly)
  )
}

/** The import cycles: each strongly connected group of two or more files (Tarjan), sorted. */
function cycles(graph: Map<string, Edge[]>, follow: (e: Edge) => boolean): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const found: string[][] = []
  const connect = (v: string): void => {
    index.set(v, index.size)
    low.set(v, index.get(v)!)
    stack.push(v)
    onStack.add(v)
    for (const e of graph.get(v) ?? []) {
      if (!follow(e) || !graph.has(e.to)) continue
      if (!index.has(e.to)) {
        connect(e.to)
        low.set(v, Math.min(low.get(v)!, low.get(e.to)!))
      } else if (onStack.has(e.to)) low.set(v, Math.min(low.get(v)!, index.get(e.to)!))
    }
    if (low.get(v) !== index.get(v)) return
    const group: string[] = []
    let w: string
    do {
      w = stack.pop()!
      onStack.delete(w)
      group.push(w)
    } while (w !== v)
    if (group.length > 1) found.push(group.sort())
  }
  for (const v of graph.keys()) if (!index.has(v)) connect(v)
  return found
}

/**
 * The loops allowed, all of type imports only. The definitions vocabulary: `Context` and `Services` name the
 * registries, which hold definitions, whose handlers get a `CommandContext` or a `SkillContext`, and an admin
 * action's deps name the skill registry. routerctl's command and session name each other's types.
 * Anything else (a model client, a store, the DingTalk adapter) declares the few services it needs.
 */
const ALLOWED_LOOPS = [
  [
    'src/admin/actions/action.ts',
    'src/command-registry.ts',
    'src/context.ts',
    'src/define.ts',
    'src/router/skill-context.ts',
    'src/skill-registry.ts',
  ],
  ['src/cli/command.ts', 'src/cli/session.ts'],
]

describe('the import graph of src/', () => {
  const graph = importGraph()

  it('reads the real tree', () => {
    expect(graph.size).toBeGreaterThan(100)
    expect(graph.get('src/app.ts')?.some((e) => e.to === 'src/router/pipeline.ts')).toBe(true)
  })

  it('the DingTalk adapter knows nothing of the store: no file in src/dingtalk imports src/store', () => {
    const offenders = [...graph]
      .filter(([file]) => file.startsWith('src/dingtalk/'))
      .flatMap(([file, edges]) => edges.filter((e) => e.to.startsWith('src/store/')).map((e) => `${file} → ${e.to}`))
    expect(offenders).toEqual([])
  })

  it('has no import cycle at run time: the value imports form no loop', () => {
    expect(cycles(graph, (e) => !e.typeOnly)).toEqual([])
  })

  it('has no import cycle but the allowed type-only ones: a module that needs two services names those two', () => {
    const outside = cycles(graph, () => true).filter(
      (loop) => !ALLOWED_LOOPS.some((allowed) => loop.every((file) => allowed.includes(file))),
    )
    expect(outside).toEqual([])
  })
})
