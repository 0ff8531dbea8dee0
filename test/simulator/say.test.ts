import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DingTalkSimulator } from '../../src/simulator/index.js'
import { parseSayArgs, resolveSimUrl } from '../../src/simulator/say.js'
import { parseCliArgs } from '../../src/simulator/cli.js'
import { connectBot, postJson, type Bot } from '../helpers/sdk-bot.js'

describe('parseSayArgs', () => {
  it('parses options before or after the text', () => {
    expect(parseSayArgs(['hello'])).toEqual({ kind: 'say', text: 'hello', timeoutMs: 30_000 })
    expect(parseSayArgs(['--as', 'ops1', '--group', 'cid-ops', '/status', 'api'])).toMatchObject({
      kind: 'say',
      text: '/status api',
      as: 'ops1',
      group: 'cid-ops',
    })
    expect(parseSayArgs(['hi', '--sim=http://h:1', '--timeout', '500'])).toMatchObject({
      text: 'hi',
      sim: 'http://h:1',
      timeoutMs: 500,
    })
    expect(parseSayArgs(['--', '--not-an-option'])).toMatchObject({ kind: 'say', text: '--not-an-option' })
  })

  it('reports usage errors', () => {
    expect(parseSayArgs([])).toMatchObject({ kind: 'error' })
    expect(parseSayArgs(['--as'])).toMatchObject({ kind: 'error', error: '--as needs a value' })
    expect(parseSayArgs(['--bogus', 'x'])).toMatchObject({
      kind: 'error',
      error: expect.stringContaining('unknown option --bogus'),
    })
    expect(parseSayArgs(['--timeout', 'soon', 'x'])).toMatchObject({ kind: 'error' })
    expect(parseSayArgs(['   '])).toMatchObject({ kind: 'error' })
    expect(parseSayArgs(['-h'])).toEqual({ kind: 'help' })
  })
})

describe('resolveSimUrl', () => {
  const file = (baseUrl: string) => () => JSON.stringify({ baseUrl })
  it('prefers --sim, then SIM_URL, then data/simulator.json, then the default', () => {
    expect(resolveSimUrl('http://flag:1/', { SIM_URL: 'http://env:2' }, file('http://file:3'))).toBe('http://flag:1')
    expect(resolveSimUrl(undefined, { SIM_URL: 'http://env:2' }, file('http://file:3'))).toBe('http://env:2')
    expect(resolveSimUrl(undefined, { SIM_URL: '' }, file('http://file:3'))).toBe('http://file:3')
    expect(resolveSimUrl(undefined, {}, () => '{broken')).toBe('http://127.0.0.1:8090')
    expect(resolveSimUrl(undefined, {}, () => undefined)).toBe('http://127.0.0.1:8090')
  })
})

describe('parseCliArgs', () => {
  it('parses --port and --host', () => {
    expect(parseCliArgs([])).toEqual({ port: 8090, host: '127.0.0.1' })
    expect(parseCliArgs(['--port', '0', '--host', '0.0.0.0'])).toEqual({ port: 0, host: '0.0.0.0' })
    expect(parseCliArgs(['--port', 'x'])).toHaveProperty('error')
  })
})

describe('say end to end', () => {
  const tsx = resolve('node_modules/.bin/tsx')
  const say = resolve('src/simulator/say.ts')
  let sim: DingTalkSimulator | undefined
  let bot: Bot | undefined
  afterEach(async () => {
    bot?.client.disconnect()
    await sim?.stop()
  })

  function run(
    args: string[],
    env: Record<string, string> = {},
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((done) => {
      execFile(
        tsx,
        [say, ...args],
        { env: { ...process.env, SIM_URL: '', ...env }, timeout: 60_000 },
        (err, stdout, stderr) => {
          done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr })
        },
      )
    })
  }

  it('prints the reply and exits 0', { timeout: 60_000 }, async () => {
    sim = new DingTalkSimulator()
    await sim.start()
    bot = await connectBot(sim, {
      onMessage: (_f, p) =>
        void postJson(p.sessionWebhook as string, {
          msgtype: 'markdown',
          markdown: {
            title: 't',
            text: `**${p.senderStaffId as string}** said ${(p.text as { content: string }).content}`,
          },
        }),
    })
    const r = await run(['--sim', sim.baseUrl, '--as', 'ops1', 'hello there'])
    expect(r).toMatchObject({ code: 0, stdout: '**ops1** said hello there\n' })
  })

  it('exits 1 when the simulator is unreachable and 2 on usage errors', { timeout: 60_000 }, async () => {
    const down = await run(['hello'], { SIM_URL: 'http://127.0.0.1:9' })
    expect(down.code).toBe(1)
    expect(down.stderr).toContain('is `npm start` running?')
    expect((await run([])).code).toBe(2)
  })
})
