#!/usr/bin/env node
// The installed `routerctl` bin. In the source tree it runs the TypeScript entry through tsx, scoped to this
// import only, so it works from any working directory with no build step; where the sources are not there
// (the image ships only the production build) it runs the compiled entry with plain Node.
import { existsSync } from 'node:fs'

const source = new URL('../src/cli/routerctl.ts', import.meta.url)
const { main } = existsSync(source)
  ? await (await import('tsx/esm/api')).tsImport(source.href, import.meta.url)
  : await import('../dist/src/cli/routerctl.js')
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw err
})
process.exitCode = await main(process.argv.slice(2))
