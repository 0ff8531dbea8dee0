import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DingTalkSimulator } from '../../src/simulator/index.js'
import { PATIENCE } from '../helpers/patience.js'
import { ROOT, routerEnv, spawnRouter, type RouterProcess } from '../helpers/router-process.js'
import { tempDir } from '../helpers/temp-dir.js'

// What the image runs: `npm run build` output started with plain node and NODE_ENV=production, pointed at the
// simulator as if it were DingTalk (credentials given, so production mode accepts it).
const run = promisify(execFile)

describe('the production build', () => {
  const sim = new DingTalkSimulator()
  let router: RouterProcess

  beforeAll(async () => {
    await run('npm', ['run', 'build'], { cwd: ROOT, timeout: PATIENCE })
    await sim.start()
    router = spawnRouter(routerEnv(sim, tempDir('prod-build'), { NODE_ENV: 'production' }), { entry: 'build' })
  }, PATIENCE)

  afterAll(async () => {
    await router?.kill('SIGTERM')
    await sim.stop()
  })

  it('starts with plain node, passes /ready and answers ping, and never starts the simulator', async () => {
    const started = await router.waitForRecord(
      (r) => r.msg === 'router started; health, readiness and metrics on loopback',
      PATIENCE,
    )
    await router.waitForRecord((r) => r.msg === 'stream connected', PATIENCE)
    const ready = await fetch(`${String(started.http)}/ready`)
    expect(ready.status).toBe(200)
    const sent = sim.sendMessage({ text: 'ping' })
    expect((await sim.waitForReply({ msgId: sent.msgId }, PATIENCE)).text).toBe('pong')
    expect(router.records().some((r) => String(r.msg).includes('SIMULATOR MODE'))).toBe(false)
  })

  it("runs with the node flags of bin/router-node.sh, the launcher the image's CMD and start:prod use", () => {
    const launcher = readFileSync(join(ROOT, 'bin/router-node.sh'), 'utf8')
    const flags = /^exec node (.*) "\$@"$/m.exec(launcher)?.[1]?.split(' ') ?? []
    expect(flags.length).toBeGreaterThan(0)
    // The launcher execs node: the process started is node itself, with those flags before the entry.
    const argv = readFileSync(`/proc/${router.child.pid}/cmdline`, 'utf8').split('\0').filter(Boolean)
    expect(argv.slice(1, 1 + flags.length)).toEqual(flags)
    expect(argv[1 + flags.length]).toBe('dist/src/main.js')
    // And with glibc's arenas capped, unless the environment already chose a number.
    const environ = readFileSync(`/proc/${router.child.pid}/environ`, 'utf8').split('\0')
    expect(environ).toContain(`MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? '2'}`)
  })
})
