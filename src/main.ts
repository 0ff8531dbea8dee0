import { createRouterApp } from './app.js'
import { ConfigError, isSimulatorMode, loadConfig, type RouterConfig } from './config.js'
import { commands } from '../commands/index.js'
import { createSkills } from '../skills/index.js'
import { createLogger, routeConsoleToLogger } from './logger.js'
import type { DingTalkSimulator } from './simulator/index.js'

// Composition root: config → logger → (simulator) → app (db, gateway, router, http, jobs) → signals.
let config: RouterConfig
try {
  config = loadConfig(process.env)
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(
      `${err.message}\nFix the settings above (environment or the ROUTER_CONFIG file) and start again.\n`,
    )
    process.exit(2)
  }
  throw err
}

const handle = createLogger({ level: config.logLevel, secrets: [config.dingtalk.clientSecret, config.auditKey] })
const log = handle.logger
routeConsoleToLogger(log)
process.on('unhandledRejection', (reason) => log.error({ err: String(reason) }, 'unhandled rejection (contained)'))
process.on('uncaughtException', (err) =>
  log.error({ err: err.message, stack: err.stack }, 'uncaught exception (contained)'),
)

let simulator: DingTalkSimulator | undefined
if (isSimulatorMode(config)) {
  try {
    // Loaded only here: outside simulator mode the simulator, the chat page and the stand-in model stay unloaded.
    const { startSimulatorMode } = await import('./simulator-mode.js')
    ;({ config, simulator } = await startSimulatorMode(config, log))
  } catch (err) {
    // Without this, the rejection lands in the contained uncaughtException handler and the process idles forever.
    log.fatal(
      { err: (err as Error).message },
      'could not start simulator mode: check that simulator.port (ROUTER_CONFIG file) is free and the ROUTER_DB folder is writable',
    )
    process.exit(1)
  }
}

const app = (() => {
  try {
    return createRouterApp(config, {
      logger: handle,
      skills: createSkills(config),
      commands,
      mode: simulator ? 'simulator' : 'dingtalk',
    })
  } catch (err) {
    // A bad audit key is a configuration error like any other: exit 2, saying how to fix it.
    process.stderr.write(`${(err as Error).message}\n`)
    process.exit(err instanceof ConfigError ? 2 : 1)
  }
})()
try {
  await app.start()
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`)
    process.exit(2)
  }
  log.fatal({ err: (err as Error).message }, 'could not start; see the message for what to fix')
  process.exit(1)
}
log.info(
  {
    http: `http://${config.http.host}:${app.http?.address() && typeof app.http.address() === 'object' ? (app.http.address() as { port: number }).port : config.http.port}`,
  },
  'router started; health, readiness and metrics on loopback',
)

let stopping = false
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1)
    stopping = true
    log.info({ signal }, 'shutting down: finishing in-flight messages')
    void app
      .stop(signal)
      .then(() => simulator?.stop())
      .then(() => process.exit(0))
      .catch((err) => {
        log.error({ err: (err as Error).message }, 'unclean shutdown')
        process.exit(1)
      })
  })
}
