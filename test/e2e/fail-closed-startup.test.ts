import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { messagePosts, rawRequest } from '../helpers/local-http.js'
import { SIM_YAML, startMain } from '../helpers/router-process.js'
import { tempDir, removeDir } from '../helpers/temp-dir.js'
import { within } from '../helpers/waits.js'

// The simulator accepts anyone as any operator, so it must never be what a production start falls back to,
// and its ports must answer only local, same-origin requests. Driven through the real entry point.

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8)

describe.concurrent('start-up fails closed (src/main.ts)', { timeout: 120_000 }, () => {
  it('exits 2 on empty or blank secret files, naming each variable and file, before creating the database', async ({
    onTestFinished,
  }) => {
    const dir = tempDir()
    onTestFinished(() => removeDir(dir))
    // What `printf %s "$APP_SECRET" > secrets/…` writes when the variable is unset.
    const id = join(dir, 'client_id')
    const secret = join(dir, 'client_secret')
    const key = join(dir, 'audit_key')
    writeFileSync(id, '')
    writeFileSync(secret, '  \n')
    writeFileSync(key, '')
    const db = join(dir, 'data', 'router.db')
    const p = startMain(
      {
        DINGTALK_CLIENT_ID_FILE: id,
        DINGTALK_CLIENT_SECRET_FILE: secret,
        ROUTER_AUDIT_KEY_FILE: key,
        ROUTER_DB: db,
        ROUTER_HTTP_PORT: '0',
      },
      onTestFinished,
    )
    const { code } = await within(p.exited, 'exit')
    expect(code).toBe(2)
    const err = p.stderr()
    expect(err).toContain(`DINGTALK_CLIENT_ID_FILE: ${id} is empty`)
    expect(err).toContain(`DINGTALK_CLIENT_SECRET_FILE: ${secret} is empty`)
    expect(err).toContain(`ROUTER_AUDIT_KEY_FILE: ${key} is empty`)
    expect(p.stdout.join('\n')).not.toContain('SIMULATOR MODE')
    expect(existsSync(db)).toBe(false)
  })

  it('exits 2 under NODE_ENV=production without credentials instead of starting the simulator', async ({
    onTestFinished,
  }) => {
    const dir = tempDir()
    onTestFinished(() => removeDir(dir))
    const file = join(dir, 'router.yaml')
    writeFileSync(file, SIM_YAML)
    const db = join(dir, 'data', 'router.db')
    const p = startMain(
      { NODE_ENV: 'production', ROUTER_CONFIG: file, ROUTER_DB: db, ROUTER_HTTP_PORT: '0' },
      onTestFinished,
    )
    const { code } = await within(p.exited, 'exit')
    expect(code).toBe(2)
    expect(p.stderr()).toMatch(/NODE_ENV=production needs DingTalk credentials/)
    expect(p.stdout.join('\n')).not.toContain('SIMULATOR MODE')
    expect(existsSync(db)).toBe(false)
  })

  it('exits 2 on an audit.key readable by group or others, saying to chmod 600', async ({ onTestFinished }) => {
    const dir = tempDir()
    onTestFinished(() => removeDir(dir))
    const file = join(dir, 'router.yaml')
    writeFileSync(file, SIM_YAML)
    const key = join(dir, 'audit.key')
    writeFileSync(key, 'ab'.repeat(32) + '\n')
    chmodSync(key, 0o640)
    const p = startMain(
      { ROUTER_CONFIG: file, ROUTER_DB: join(dir, 'router.db'), ROUTER_HTTP_PORT: '0' },
      onTestFinished,
    )
    const { code } = await within(p.exited, 'exit')
    expect(code, `${p.stderr()}\n${p.stdout.join('\n')}`).toBe(2)
    expect(p.stderr()).toContain(`audit key ${key} has mode 0640, readable by group or others: run chmod 600 ${key}`)
  })

  it('in simulator mode: says so (WARN, /ready, /status), keeps its files private under umask 022, and answers only local same-origin JSON', async ({
    onTestFinished,
  }) => {
    const dir = tempDir()
    onTestFinished(() => removeDir(dir))
    const file = join(dir, 'router.yaml')
    writeFileSync(file, SIM_YAML)
    const data = join(dir, 'data')
    const db = join(data, 'router.db')
    const p = startMain({ ROUTER_CONFIG: file, ROUTER_DB: db, ROUTER_HTTP_PORT: '0' }, onTestFinished, {
      umask: '022',
    })
    const warn = await p.waitForRecord((l) => l.level === 40 && String(l.msg).startsWith('simulator mode:'))
    expect(warn.mode).toBe('simulator')
    const started = await p.waitForRecord((l) => l.msg === 'router started; health, readiness and metrics on loopback')
    const chat = await p.waitForRecord((l) => typeof l.chat === 'string')
    await p.waitForRecord((l) => l.msg === 'stream connected')
    const http = String(started.http)
    const info = JSON.parse(readFileSync(join(data, 'simulator.json'), 'utf8')) as { baseUrl: string }

    const ready = (await (await fetch(`${http}/ready`)).json()) as { ready: boolean; mode: string }
    expect(ready).toMatchObject({ ready: true, mode: 'simulator' })
    expect(((await (await fetch(`${http}/status`)).json()) as { mode: string }).mode).toBe('simulator')

    // Files: the folder 0700, the database and its WAL and SHM 0600, whatever the umask said.
    expect(modeOf(data)).toBe('700')
    for (const name of ['router.db', 'router.db-wal', 'router.db-shm', 'audit.key', 'simulator.json'])
      expect(modeOf(join(data, name)), name).toBe('600')

    // Both simulator ports: the simulator's own control API and the chat page's proxy to it.
    const body = JSON.stringify({ text: 'ping' })
    for (const base of [info.baseUrl, String(chat.chat).replace(/\/$/, '')]) {
      const host = new URL(base).host
      for (const [name, { headers }] of Object.entries(messagePosts(host))) {
        const answer = await rawRequest(`${base}/sim/messages`, { method: 'POST', headers, body })
        expect(answer.status, `${base} ${name}`).toBe(name === 'sameOriginJson' ? 200 : 403)
      }
      // Pressing a card button as an operator is refused to a foreign page just the same.
      for (const name of ['crossOrigin', 'textPlain', 'foreignHost'] as const) {
        const { headers } = messagePosts(host)[name]!
        const click = await rawRequest(`${base}/sim/card-callback`, { method: 'POST', headers, body: '{}' })
        expect(click.status, `${base} card-callback ${name}`).toBe(403)
      }
      // A rebinding page may not read the conversation either.
      const events = await rawRequest(`${base}/sim/events`, { headers: { host: 'rebound.evil.example' } })
      expect(events.status, `${base} events`).toBe(403)
      expect((await rawRequest(`${base}/sim/events`, { headers: { host } })).status).toBe(200)
    }
    // The health listener: a rebinding page cannot read /status.
    const port = new URL(http).port
    expect((await rawRequest(`${http}/status`, { headers: { host: `rebound.evil.example:${port}` } })).status).toBe(403)
    expect((await rawRequest(`${http}/status`, { headers: { host: `localhost:${port}` } })).status).toBe(200)

    p.child.kill('SIGTERM')
    expect((await within(p.exited, 'exit after SIGTERM')).code).toBe(0)
  })
})
