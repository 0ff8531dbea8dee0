import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError, isSimulatorMode, loadConfig } from '../../src/config.js'
import { parseDuration } from '../../src/duration.js'
import { scrubSecrets } from '../../src/redact.js'
import { isoSeconds } from '../../src/time-text.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'config-test-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

function file(name: string, text: string): string {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

function problems(env: NodeJS.ProcessEnv, yamlFile?: string): string[] {
  try {
    loadConfig(env, yamlFile)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  throw new Error('expected a ConfigError')
}

describe('loadConfig', () => {
  it('has working defaults: simulator mode, loopback HTTP, the contract defaults', () => {
    const c = loadConfig({})
    expect(isSimulatorMode(c)).toBe(true)
    expect(c.http).toEqual({ host: '127.0.0.1', port: 8080, allowPublic: false })
    expect(c.db).toBe('./data/router.db')
    expect(c.logLevel).toBe('info')
    expect(c.dingtalk.gatewayUrl).toBe('https://api.dingtalk.com/v1.0/gateway/connections/open')
    expect(c.dingtalk.apiBase).toBe('https://api.dingtalk.com')
    expect(c.dingtalk.webhookHosts).toEqual(['oapi.dingtalk.com'])
    expect(c.operators).toEqual([])
    expect(c.adminConversations).toEqual([])
  })

  it('reads every contract variable', () => {
    const c = loadConfig({
      DINGTALK_CLIENT_ID: 'id',
      DINGTALK_CLIENT_SECRET: 'secret',
      DINGTALK_GATEWAY_URL: 'http://127.0.0.1:1/open',
      DINGTALK_API_BASE: 'http://127.0.0.1:1',
      DINGTALK_WEBHOOK_HOSTS: 'oapi.dingtalk.com, 127.0.0.1:9000 ,',
      ROUTER_OPERATORS: 'op1:alice, op2 : bob',
      ROUTER_ADMIN_CONVERSATIONS: 'cid-a,cid-b',
      ROUTER_DB: '/tmp/x.db',
      ROUTER_HTTP_HOST: '0.0.0.0',
      ROUTER_HTTP_PORT: '9090',
      ROUTER_HTTP_ALLOW_PUBLIC: '1',
      ROUTER_AUDIT_KEY: 'k'.repeat(16),
      LOG_LEVEL: 'debug',
    })
    expect(isSimulatorMode(c)).toBe(false)
    expect(c.dingtalk).toMatchObject({
      clientId: 'id',
      clientSecret: 'secret',
      gatewayUrl: 'http://127.0.0.1:1/open',
      webhookHosts: ['oapi.dingtalk.com', '127.0.0.1:9000'],
    })
    expect(c.operators).toEqual([
      { staffId: 'op1', name: 'alice' },
      { staffId: 'op2', name: 'bob' },
    ])
    expect(c.adminConversations).toEqual(['cid-a', 'cid-b'])
    expect(c.http).toEqual({ host: '0.0.0.0', port: 9090, allowPublic: true })
    expect(c).toMatchObject({ db: '/tmp/x.db', auditKey: 'k'.repeat(16), logLevel: 'debug' })
  })

  it('lets the environment override the YAML file, keeping the rest of the file', () => {
    const yaml = file(
      'c.yaml',
      'http:\n  port: 7000\n  host: localhost\nlogLevel: warn\nlimits:\n  perUserPerMinute: 5\n',
    )
    const c = loadConfig({ ROUTER_CONFIG: yaml, ROUTER_HTTP_PORT: '7001' })
    expect(c.http).toMatchObject({ port: 7001, host: 'localhost' })
    expect(c.logLevel).toBe('warn')
    expect(c.limits.perUserPerMinute).toBe(5)
    expect(loadConfig({ LOG_LEVEL: 'error' }, yaml).logLevel).toBe('error')
  })

  it('treats empty non-secret strings as unset', () => {
    const yaml = file('c.yaml', 'logLevel: warn\n')
    const c = loadConfig({
      ROUTER_CONFIG: yaml,
      LOG_LEVEL: '',
      ROUTER_HTTP_PORT: '',
      ROUTER_OPERATORS: '',
    })
    expect(c.logLevel).toBe('warn')
    expect(c.http.port).toBe(8080)
    expect(isSimulatorMode(c)).toBe(true)
    expect(loadConfig({ ROUTER_CONFIG: '' }).logLevel).toBe('info')
  })

  it('refuses a secret that is present but empty, as a variable or as a *_FILE, naming variable and file', () => {
    const empty = file('empty', '')
    const blank = file('blank', '  \n\t\n')
    const p = problems({
      DINGTALK_CLIENT_ID_FILE: empty,
      DINGTALK_CLIENT_SECRET_FILE: blank,
      ROUTER_AUDIT_KEY: '',
      MODEL_API_KEY_FILE: join(dir, 'missing'),
    }).join('\n')
    expect(p).toContain(`DINGTALK_CLIENT_ID_FILE: ${empty} is empty`)
    expect(p).toContain(`DINGTALK_CLIENT_SECRET_FILE: ${blank} is empty`)
    expect(p).toContain('ROUTER_AUDIT_KEY is set but empty')
    expect(p).toMatch(/MODEL_API_KEY_FILE: cannot read .*missing.*ENOENT/)
    expect(problems({ DINGTALK_CLIENT_ID: '', DINGTALK_CLIENT_SECRET: ' ' }).join('\n')).toMatch(
      /DINGTALK_CLIENT_ID is set but empty[\s\S]*DINGTALK_CLIENT_SECRET is set but empty/,
    )
    expect(problems({ DINGTALK_CLIENT_SECRET_FILE: '' }).join('\n')).toContain(
      'DINGTALK_CLIENT_SECRET_FILE is set but names no file',
    )
    // Not the simulator: an empty file means the deploy forgot the secret, not that it wants a demo.
    expect(problems({ ROUTER_OPERATORS_FILE: empty }).join('\n')).toContain(`ROUTER_OPERATORS_FILE: ${empty} is empty`)
  })

  it('refuses plain http service URLs that egress could never call (HTTPS-only except allowlisted loopback)', () => {
    const yaml = file(
      'c.yaml',
      [
        'model:',
        '  baseUrl: http://llm.internal.example:8000/v1',
        '  name: m',
        'services:',
        '  statusApi:',
        '    baseUrl: http://127.0.0.1:9000',
        '',
      ].join('\n'),
    )
    const p = problems({}, yaml).join('\n')
    expect(p).toContain(
      'model.baseUrl: http://llm.internal.example:8000/v1 is plain http to a host that is not loopback',
    )
    expect(p).toContain('services.statusApi.baseUrl: http://127.0.0.1:9000 is plain http')
    expect(p).toContain('egress.allowHttpLoopback (add "127.0.0.1:9000"')
    const fine = file(
      'ok.yaml',
      'model:\n  baseUrl: https://llm.internal.example/v1\n  name: m\nservices:\n  statusApi:\n    baseUrl: http://127.0.0.1:9000\negress:\n  allowHttpLoopback: ["127.0.0.1:9000"]\n',
    )
    expect(loadConfig({}, fine).services.statusApi.baseUrl).toBe('http://127.0.0.1:9000')
  })

  it('never chooses the simulator under NODE_ENV=production', () => {
    const p = problems({ NODE_ENV: 'production' }).join('\n')
    expect(p).toMatch(/NODE_ENV=production needs DingTalk credentials/)
    expect(
      isSimulatorMode(loadConfig({ NODE_ENV: 'production', DINGTALK_CLIENT_ID: 'i', DINGTALK_CLIENT_SECRET: 's' })),
    ).toBe(false)
    expect(isSimulatorMode(loadConfig({ NODE_ENV: 'development' }))).toBe(true)
  })

  it('reads *_FILE secrets, trimmed', () => {
    const secret = file('secret', 'from-file-secret\n')
    const key = file('key', '  audit-key-from-a-file  \n')
    const c = loadConfig({ DINGTALK_CLIENT_ID: 'id', DINGTALK_CLIENT_SECRET_FILE: secret, ROUTER_AUDIT_KEY_FILE: key })
    expect(c.dingtalk.clientSecret).toBe('from-file-secret')
    expect(c.auditKey).toBe('audit-key-from-a-file')
  })

  it('refuses a secret given both directly and as a file, and an unreadable file, without printing the secret', () => {
    const secret = file('secret', 'from-file-secret')
    const p = problems({
      DINGTALK_CLIENT_ID: 'id',
      DINGTALK_CLIENT_SECRET: 'direct-secret-value',
      DINGTALK_CLIENT_SECRET_FILE: secret,
    })
    expect(p).toContain('DINGTALK_CLIENT_SECRET and DINGTALK_CLIENT_SECRET_FILE are both set: keep one')
    const missing = problems({ ROUTER_AUDIT_KEY_FILE: join(dir, 'nope') })
    expect(missing.join('\n')).toMatch(/ROUTER_AUDIT_KEY_FILE: cannot read .*ENOENT/)
    expect(p.join('\n')).not.toContain('direct-secret-value')
    expect(p.join('\n')).not.toContain('from-file-secret')
  })

  it('refuses a secret with a line break or control character inside, naming the setting, never the value', () => {
    // A secret file of two lines: the load trims the ends only, so the Bearer header would carry a newline.
    const twoLines = file('model-key', 'sk-first-line-A1\nsk-second-line-B2\n')
    const err = (() => {
      try {
        loadConfig({ MODEL_API_KEY_FILE: twoLines, OPENCLAW_GATEWAY_TOKEN: 'tok-with\u0001control' })
      } catch (e) {
        return e as ConfigError
      }
      throw new Error('expected a ConfigError')
    })()
    expect(err).toBeInstanceOf(ConfigError)
    expect(err.problems).toContain(
      `model.apiKey (MODEL_API_KEY): the secret contains a line break (value not shown); it must be one line of printable ASCII: check that MODEL_API_KEY, the file MODEL_API_KEY_FILE names, or the ROUTER_CONFIG file holds only the secret`,
    )
    expect(err.problems.join('\n')).toMatch(
      /openclaw\.gatewayToken \(OPENCLAW_GATEWAY_TOKEN\): the secret contains a control character/,
    )
    for (const part of ['sk-first-line-A1', 'sk-second-line-B2', 'tok-with']) expect(err.message).not.toContain(part)
    // The same check for a secret written in the YAML file; whitespace at its ends is fine, as before.
    const yaml = file(
      'c.yaml',
      'model:\n  apiKey: "sk-\u00a0nbsp-in-the-middle"\ndingtalk:\n  clientId: id\n  clientSecret: |\n    one-line-secret\n',
    )
    expect(problems({}, yaml)).toEqual([
      expect.stringMatching(
        /^model\.apiKey \(MODEL_API_KEY\): the secret contains a character outside printable ASCII/,
      ),
    ])
    // The audit key is only an HMAC key: any text is a valid one, but not a second line.
    expect(loadConfig({ ROUTER_AUDIT_KEY: '审计密钥-sixteen-chars' }).auditKey).toBe('审计密钥-sixteen-chars')
    expect(problems({ ROUTER_AUDIT_KEY_FILE: file('k', 'first-half-of-key\nsecond-half') }).join('\n')).toMatch(
      /^auditKey \(ROUTER_AUDIT_KEY\): the secret contains a line break .* one line of text/,
    )
  })

  it('reports every problem at once, naming the variable', () => {
    const p = problems({
      ROUTER_HTTP_PORT: 'abc',
      LOG_LEVEL: 'loud',
      ROUTER_OPERATORS: 'bad,op1:alice,op1:again',
      DINGTALK_CLIENT_ID: 'only-id',
      ROUTER_HTTP_ALLOW_PUBLIC: 'maybe',
      DINGTALK_GATEWAY_URL: 'ftp://x',
      ROUTER_AUDIT_KEY: 'short',
      DINGTALK_WEBHOOK_HOSTS: 'a b',
    })
    const text = p.join('\n')
    for (const name of [
      'ROUTER_HTTP_PORT',
      'LOG_LEVEL',
      'ROUTER_OPERATORS',
      'DINGTALK_CLIENT_ID',
      'DINGTALK_CLIENT_SECRET',
      'ROUTER_HTTP_ALLOW_PUBLIC',
      'DINGTALK_GATEWAY_URL',
      'ROUTER_AUDIT_KEY',
      'DINGTALK_WEBHOOK_HOSTS',
    ]) {
      expect(text).toContain(name)
    }
    expect(p.length).toBeGreaterThanOrEqual(8)
    expect(text).toContain('"bad" must be staffId:name')
    expect(text).not.toContain('short')
  })

  it('reports cross-field problems (duplicate operator, backoff bounds)', () => {
    const yaml = file('c.yaml', 'dingtalk:\n  reconnectBaseMs: 5000\n  reconnectMaxMs: 1000\n')
    const p = problems({ ROUTER_OPERATORS: 'op1:a,op1:b' }, yaml)
    expect(p.join('\n')).toContain('staffId op1 is listed twice')
    expect(p.join('\n')).toContain('reconnectBaseMs must not exceed')
  })

  it('reports YAML problems: unknown keys, wrong types, bad syntax, not a mapping, unreadable', () => {
    const bad = file('bad.yaml', 'bogus: 1\nhttp:\n  port: eighty\n  extra: true\nlimits:\n  dedupRetention: forever\n')
    const p = problems({ ROUTER_CONFIG: bad })
    const text = p.join('\n')
    expect(text).toContain('bogus')
    expect(text).toContain('extra')
    expect(text).toMatch(/http\.port \(ROUTER_HTTP_PORT\): .*number/)
    expect(text).toMatch(/limits\.dedupRetention: expected a duration/)
    expect(problems({ ROUTER_CONFIG: file('syntax.yaml', 'a: [1, 2\n') }).join('\n')).toMatch(/is not valid YAML/)
    expect(problems({ ROUTER_CONFIG: file('list.yaml', '- a\n- b\n') }).join('\n')).toMatch(/must be a YAML mapping/)
    expect(problems({ ROUTER_CONFIG: join(dir, 'missing.yaml') }).join('\n')).toMatch(/cannot read .*ENOENT/)
    expect(loadConfig({ ROUTER_CONFIG: file('empty.yaml', '') }).http.port).toBe(8080)
  })

  it('refuses a duration longer than its use can hold, naming the setting and the limit', () => {
    // A timer past 2^31−1 ms fires after 1 ms; an expiry past a Date's range cannot be written.
    const yaml = file(
      'long.yaml',
      'releases:\n  hookTimeout: 30d\negress:\n  breakerHalfOpenAfter: 577h\napprovals:\n  ttl: 99999999d\n',
    )
    expect(problems({ ROUTER_CONFIG: yaml })).toEqual([
      'approvals.ttl: 99999999d is too long: at most 36500d (100 years)',
      'egress.breakerHalfOpenAfter: 577h is too long: at most 24d (a timer cannot wait longer than 2^31−1 ms, about 24.8 days)',
      'releases.hookTimeout: 30d is too long: at most 24d (a timer cannot wait longer than 2^31−1 ms, about 24.8 days)',
    ])
  })

  it('accepts durations up to each limit, and a long retention that is no timer', () => {
    const yaml = file(
      'limits.yaml',
      'releases:\n  hookTimeout: 24d\negress:\n  breakerHalfOpenAfter: 576h\napprovals:\n  ttl: 36500d\nlimits:\n  dedupRetention: 400d\n',
    )
    const c = loadConfig({ ROUTER_CONFIG: yaml })
    // The timer limit itself, safely under setTimeout's 2^31−1 ms.
    expect(parseDuration(c.releases.hookTimeout)).toBeLessThan(2 ** 31 - 1)
    expect(c.egress.breakerHalfOpenAfter).toBe('576h')
    expect(c.limits.dedupRetention).toBe('400d')
    // The longest ttl still gives an expiry that /pending and the request reply can print.
    expect(isoSeconds(Date.now() + parseDuration(c.approvals.ttl)!)).toMatch(/^21\d\d-/)
  })

  it('ConfigError lists the problems in its message', () => {
    try {
      loadConfig({ ROUTER_HTTP_PORT: 'x', LOG_LEVEL: 'y' })
      expect.unreachable()
    } catch (err) {
      expect((err as Error).message).toMatch(/^invalid configuration:\n {2}- /)
      expect((err as Error).message.split('\n  - ')).toHaveLength(3)
    }
  })

  it('does not choke on a YAML file it may not read', () => {
    if (process.getuid?.() === 0) return // root reads anything
    const locked = file('locked.yaml', 'logLevel: warn\n')
    chmodSync(locked, 0o000)
    expect(problems({ ROUTER_CONFIG: locked }).join('\n')).toMatch(/EACCES/)
  })
})

describe('secrets read by loadConfig', () => {
  it('are known to the scrubber at once, also when the rest of the config does not validate', () => {
    loadConfig({ MODEL_API_KEY: 'sk-config-known-1a2b3c4d' })
    expect(scrubSecrets('Bearer sk-config-known-1a2b3c4d refused')).toBe('Bearer [redacted] refused')
    // routerctl carries on with a config that does not validate: what it read is scrubbed all the same.
    expect(() => loadConfig({ OPENCLAW_GATEWAY_TOKEN: 'gw-token-5e6f7a8b9c0d', ROUTER_HTTP_PORT: 'x' })).toThrow(
      ConfigError,
    )
    expect(scrubSecrets('token=gw-token-5e6f7a8b9c0d')).not.toContain('gw-token-5e6f7a8b9c0d')
    // The AppKey is read like a secret but is an identifier: it stays readable; its secret does not.
    loadConfig({ DINGTALK_CLIENT_ID: 'dingappkey0config1', DINGTALK_CLIENT_SECRET: 'app-secret-config-2b3c4d5e' })
    expect(scrubSecrets('robot dingappkey0config1 with app-secret-config-2b3c4d5e')).toBe(
      'robot dingappkey0config1 with [redacted]',
    )
  })
})
