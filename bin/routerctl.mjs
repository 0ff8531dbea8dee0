#!/usr/bin/env node
// The installed `routerctl` bin: runs the TypeScript entry through tsx (a runtime dependency), scoped to
// this import only, so it works from any working directory and needs no build step on the host.
import { tsImport } from 'tsx/esm/api'

const { main } = await tsImport('../src/cli/routerctl.ts', import.meta.url)
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw err
})
process.exitCode = await main(process.argv.slice(2))
