/**
 * `tsx src/simulator/cli.ts [--port 8090] [--host 127.0.0.1]`: a standalone simulator for development.
 * The router's simulator mode starts one in-process instead.
 */
import { pathToFileURL } from 'node:url'
import { DingTalkSimulator } from './server.js'
import type { RecordedReply } from './types.js'

/**
 * Parse `--port`/`--host`; pure, for tests.
 * @example
 * parseCliArgs(['--port', '0']) // { port: 0, host: '127.0.0.1' }
 */
export function parseCliArgs(argv: readonly string[]): { port: number; host: string } | { error: string } {
  let port = 8090
  let host = '127.0.0.1'
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1]
    if (argv[i] === '--port' && value !== undefined && /^\d+$/.test(value) && Number(value) < 65536)
      port = Number(value)
    else if (argv[i] === '--host' && value) host = value
    else return { error: `unexpected argument ${argv[i]}; usage: cli [--port <n>] [--host <ip>]` }
    i++
  }
  return { port, host }
}

async function main(): Promise<void> {
  const args = parseCliArgs(process.argv.slice(2))
  if ('error' in args) {
    console.error(args.error)
    process.exitCode = 2
    return
  }
  const sim = new DingTalkSimulator(args)
  await sim.start()
  sim.on('reply', (r: RecordedReply) => console.log(`[reply ${r.kind}] ${r.text}`))
  console.log(`DingTalk simulator listening on ${sim.baseUrl}
  gateway:        ${sim.gatewayUrl}
  clientId:       ${sim.clientId}
  clientSecret:   ${sim.clientSecret}
  robotCode:      ${sim.robotCode}
  webhook host:   ${sim.webhookHost}
  say something:  SIM_URL=${sim.baseUrl} npm run say -- "hello"`)
  const shutdown = (): void => {
    sim.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error('simulator failed to start:', err instanceof Error ? err.message : err)
    process.exitCode = 1
  })
}
