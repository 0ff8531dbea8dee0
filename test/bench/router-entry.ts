import { once } from 'node:events'
import { createRouterApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import type { SkillDefinition } from '../../src/define.js'
import { createLogger, routeConsoleToLogger } from '../../src/logger.js'
import { commands } from '../../commands/index.js'
import { skills } from '../../skills/index.js'
import { startAllocationProfile } from './alloc-profile.js'
import { serveParent } from './ipc.js'
import sleepSkill from './sleep-skill.js'

// The system under test for the router variant, run as a child of the bench process so the load
// generator never shares its event loop. Composed like src/main.ts (same config loader, logger, app,
// stores, jobs, HTTP listener), pointed at the bench's simulator by the environment the parent sets.
// The only addition is the bench-only `sleep` skill.
const config = loadConfig(process.env)
const handle = createLogger({ level: config.logLevel, secrets: [config.dingtalk.clientSecret, config.auditKey] })
routeConsoleToLogger(handle.logger)
process.on('unhandledRejection', (reason) =>
  handle.logger.error({ err: String(reason) }, 'unhandled rejection (contained)'),
)

const app = createRouterApp(config, {
  logger: handle,
  skills: [...skills, sleepSkill as SkillDefinition<unknown>],
  commands,
})
// Investigation only: BENCH_ALLOC_PROFILE=<file> records where this process allocates (garbage included).
const allocFile = process.env.BENCH_ALLOC_PROFILE
const stopAllocProfile = allocFile ? await startAllocationProfile() : undefined
serveParent(async () => {
  await app.stop('bench')
  if (stopAllocProfile && allocFile) await stopAllocProfile(allocFile)
})
try {
  await app.start()
  const deadline = setTimeout(() => app.stream.emit('state', 'timeout'), 20_000)
  while (!app.stream.connected) {
    const [state] = (await once(app.stream, 'state')) as [string]
    if (state === 'timeout') throw new Error(`stream did not connect within 20 s (state ${app.stream.state})`)
  }
  clearTimeout(deadline)
  const address = app.http?.address()
  process.send?.({
    type: 'ready',
    pid: process.pid,
    httpPort: typeof address === 'object' && address ? address.port : undefined,
  })
} catch (err) {
  process.send?.({ type: 'error', message: (err as Error).message })
  process.exit(1)
}
