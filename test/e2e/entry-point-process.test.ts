import Database from 'better-sqlite3'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SIM_YAML, startMain } from '../helpers/router-process.js'
import { tempDir, removeDir } from '../helpers/temp-dir.js'
import { within } from '../helpers/waits.js'

describe.concurrent('the real entry point (src/main.ts)', { timeout: 120_000 }, () => {
  it('exits non-zero on a bad environment, naming every problem, before touching the database', async ({
    onTestFinished,
  }) => {
    const dir = tempDir()
    onTestFinished(() => removeDir(dir))
    const db = join(dir, 'data', 'router.db')
    const p = startMain(
      {
        ROUTER_HTTP_PORT: 'abc',
        LOG_LEVEL: 'loud',
        ROUTER_OPERATORS: 'bad',
        DINGTALK_CLIENT_ID: 'only-an-id',
        ROUTER_DB: db,
      },
      onTestFinished,
    )
    const { code } = await within(p.exited, 'exit')
    expect(code).not.toBe(0)
    const err = p.stderr()
    for (const name of [
      'ROUTER_HTTP_PORT',
      'LOG_LEVEL',
      'ROUTER_OPERATORS',
      'DINGTALK_CLIENT_ID',
      'DINGTALK_CLIENT_SECRET',
    ])
      expect(err).toContain(name)
    expect(err).toMatch(/invalid configuration/)
    expect(existsSync(db)).toBe(false)
  })

  it('exits non-zero on a bad YAML file (unknown key, wrong type), naming both', async ({ onTestFinished }) => {
    const dir = tempDir()
    onTestFinished(() => removeDir(dir))
    const file = join(dir, 'router.yaml')
    writeFileSync(file, 'bogusSetting: 1\nhttp:\n  port: eighty\n')
    const p = startMain({ ROUTER_CONFIG: file, ROUTER_DB: join(dir, 'router.db') }, onTestFinished)
    const { code } = await within(p.exited, 'exit')
    expect(code).not.toBe(0)
    expect(p.stderr()).toContain('bogusSetting')
    expect(p.stderr()).toMatch(/http\.port \(ROUTER_HTTP_PORT\)/)
  })

  it('refuses a public HTTP host without ROUTER_HTTP_ALLOW_PUBLIC', async ({ onTestFinished }) => {
    const dir = tempDir()
    onTestFinished(() => removeDir(dir))
    const file = join(dir, 'router.yaml')
    writeFileSync(file, SIM_YAML)
    const p = startMain(
      { ROUTER_CONFIG: file, ROUTER_DB: join(dir, 'router.db'), ROUTER_HTTP_HOST: '0.0.0.0', ROUTER_HTTP_PORT: '0' },
      onTestFinished,
    )
    const { code } = await within(p.exited, 'exit')
    expect(code).toBe(1)
    expect(p.stdout.join('\n') + p.stderr()).toContain('ROUTER_HTTP_ALLOW_PUBLIC=1')
  })

  it('exits non-zero, saying why, when the simulator port is taken', async ({ onTestFinished }) => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    onTestFinished(() => void blocker.close())
    const port = (blocker.address() as AddressInfo).port
    const dir = tempDir()
    onTestFinished(() => removeDir(dir))
    const file = join(dir, 'router.yaml')
    writeFileSync(file, `simulator:\n  port: ${port}\n  chatPort: 0\n`)
    const p = startMain(
      { ROUTER_CONFIG: file, ROUTER_DB: join(dir, 'router.db'), ROUTER_HTTP_PORT: '0' },
      onTestFinished,
    )
    const { code } = await within(p.exited, 'exit')
    expect(code).toBe(1)
    const fatal = p.stdout.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.level === 60)
    expect(String(fatal?.msg)).toContain('simulator.port')
    expect(String(fatal?.err)).toContain('EADDRINUSE')
  })

  it('runs in simulator mode, answers ping, and on SIGTERM exits 0 after auditing the stop', async ({
    onTestFinished,
  }) => {
    const dir = tempDir()
    onTestFinished(() => removeDir(dir))
    const file = join(dir, 'router.yaml')
    writeFileSync(file, SIM_YAML)
    const db = join(dir, 'data', 'router.db')
    const p = startMain({ ROUTER_CONFIG: file, ROUTER_DB: db, ROUTER_HTTP_PORT: '0' }, onTestFinished)

    const banner = await p.waitForRecord((l) => typeof l.msg === 'string' && l.msg.startsWith('SIMULATOR MODE'))
    expect(banner.msg).toContain('npm run say')
    const info = JSON.parse(readFileSync(join(dir, 'data', 'simulator.json'), 'utf8')) as { baseUrl: string }
    expect(info.baseUrl).toBe(banner.simulator)
    const started = await p.waitForRecord((l) => l.msg === 'router started; health, readiness and metrics on loopback')
    await p.waitForRecord((l) => l.msg === 'stream connected')

    // Talk to it the way `npm run say` does.
    const sent = (await (
      await fetch(`${info.baseUrl}/sim/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'ping' }),
      })
    ).json()) as { msgId: string }
    const replies = (await (
      await fetch(`${info.baseUrl}/sim/replies?msgId=${encodeURIComponent(sent.msgId)}&timeoutMs=30000`)
    ).json()) as { replies: { text: string }[] }
    expect(replies.replies.map((r) => r.text)).toEqual(['pong'])
    const health = await fetch(`${String(started.http)}/healthz`)
    expect(health.status).toBe(200)

    p.child.kill('SIGTERM')
    const { code, signal } = await within(p.exited, 'exit after SIGTERM')
    expect({ code, signal }).toEqual({ code: 0, signal: null })
    expect(p.stderr()).toBe('')
    // Logs are JSON lines on stdout, the SDK's console prints included.
    for (const text of p.stdout) expect(() => JSON.parse(text), text).not.toThrow()

    const audit = new Database(db, { readonly: true })
    try {
      const rows = audit.prepare('SELECT action, channel, outcome, args FROM audit ORDER BY seq').all() as {
        action: string
        channel: string
        outcome: string
        args: string
      }[]
      expect(rows[0]).toMatchObject({ action: 'start', channel: 'system', outcome: 'executed' })
      expect(rows.at(-1)).toMatchObject({ action: 'stop', channel: 'system', outcome: 'executed' })
      expect(JSON.parse(rows.at(-1)!.args)).toEqual({ reason: 'SIGTERM' })
      const inbox = audit.prepare("SELECT COUNT(*) FROM inbox WHERE status = 'pending'").pluck().get()
      expect(inbox).toBe(0)
    } finally {
      audit.close()
    }
  })
})
