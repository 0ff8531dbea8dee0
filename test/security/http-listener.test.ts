import { hostname } from 'node:os'
import { join } from 'node:path'
import { writeFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { createRouterApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { checkListenHost } from '../../src/http/server.js'
import { commands } from '../../commands/index.js'
import { createSkills } from '../../skills/index.js'
import { captureLogs } from '../helpers/log-capture.js'
import { Cleanup } from '../helpers/cleanup.js'
import { PATIENCE } from '../helpers/patience.js'
import { TEST_SECRETS, startSimulator } from '../helpers/router.js'
import { spawnRouter } from '../helpers/router-process.js'
import { tempDir, removeDir } from '../helpers/temp-dir.js'

// Health, readiness and metrics stay on loopback unless ROUTER_HTTP_ALLOW_PUBLIC=1. Already covered:
// test/e2e/http-endpoints.test.ts (checkListenHost for 0.0.0.0, ::, private and public names; startHttpServer
// refusing 0.0.0.0 and listening with the opt-in) and test/e2e/entry-point-process.test.ts (the real entry
// exiting 1 on 0.0.0.0). This adds the IPv6 and hostname spellings, through the whole app (refused before
// the stream connects) and once through the real entry point with `::`.

const cleanup = new Cleanup()
afterEach(() => cleanup.run())

const NOT_LOOPBACK = [
  '::',
  '[::]',
  '::0',
  '0:0:0:0:0:0:0:0',
  '::ffff:0.0.0.0',
  '0.0.0.0',
  '0',
  '0.0.0.0.',
  'fe80::1',
  '[fe80::1]',
  '169.254.1.1',
  '10.0.0.5',
  ...(hostname() === 'localhost' ? [] : [hostname()]),
  'example.com',
  'localhost.evil.example',
  'localhost.',
  '127.0.0.1.nip.io',
  '127.0.0.1.evil.example',
  'evil-127.0.0.1',
]

describe('security: the health listener on a non-loopback host without the opt-in', { timeout: 3 * PATIENCE }, () => {
  it('checkListenHost refuses every IPv6, wildcard and hostname spelling, and names the opt-in', () => {
    for (const host of NOT_LOOPBACK) {
      expect(checkListenHost(host, false), host).toMatch(/is not a loopback address.*ROUTER_HTTP_ALLOW_PUBLIC=1/)
    }
  })

  it.each(NOT_LOOPBACK.map((host) => [host]))(
    'the app refuses to start with ROUTER_HTTP_HOST=%s, before the stream connects',
    async (host) => {
      const sim = await startSimulator(cleanup)
      const dir = cleanup.add(tempDir('http-host-'), removeDir)
      const config = loadConfig(
        {
          DINGTALK_CLIENT_ID: sim.clientId,
          DINGTALK_CLIENT_SECRET: sim.clientSecret,
          DINGTALK_GATEWAY_URL: sim.gatewayUrl,
          DINGTALK_API_BASE: sim.apiBase,
          DINGTALK_WEBHOOK_HOSTS: sim.webhookHost,
          ROUTER_DB: join(dir, 'router.db'),
          ROUTER_HTTP_HOST: host,
          ROUTER_HTTP_PORT: '0',
          ROUTER_AUDIT_KEY: TEST_SECRETS.auditKey,
        },
        undefined,
      )
      const logs = captureLogs({ secrets: [sim.clientSecret, TEST_SECRETS.auditKey] })
      const app = createRouterApp(config, { logger: logs.handle, skills: createSkills(config), commands, jobs: false })
      cleanup.add(app, (a) => a.stop('test'))
      await expect(app.start()).rejects.toThrow(/is not a loopback address.*ROUTER_HTTP_ALLOW_PUBLIC=1/)
      expect(app.http).toBeUndefined()
      expect(sim.stats.openCalls).toBe(0)
      expect(app.stream.state).toBe('idle')
    },
  )

  it('the real entry point exits 1 on ROUTER_HTTP_HOST=::, saying what to set', async () => {
    const dir = cleanup.add(tempDir('http-host-main-'), removeDir)
    const file = join(dir, 'router.yaml')
    writeFileSync(file, 'simulator:\n  port: 0\n  chatPort: 0\n')
    const p = spawnRouter({
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      TMPDIR: process.env.TMPDIR ?? '/tmp',
      ROUTER_CONFIG: file,
      ROUTER_DB: join(dir, 'router.db'),
      ROUTER_HTTP_HOST: '::',
      ROUTER_HTTP_PORT: '0',
    })
    cleanup.add(p, (x) => x.kill('SIGKILL'))
    let timer: NodeJS.Timeout | undefined
    const exit = await Promise.race([
      p.exited,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no exit within ${PATIENCE} ms; stderr: ${p.stderr()}`)), PATIENCE)
      }),
    ]).finally(() => clearTimeout(timer))
    expect(exit.code).toBe(1)
    const fatal = p.records().find((l) => l.level === 60)
    expect(String(fatal?.err)).toMatch(/ROUTER_HTTP_HOST=:: is not a loopback address.*ROUTER_HTTP_ALLOW_PUBLIC=1/)
    expect(p.records().some((l) => l.msg === 'stream connected')).toBe(false)
  })
})
