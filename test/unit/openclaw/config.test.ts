import { writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../../src/config.js'
import { effectiveBudget } from '../../../src/budget/resolve.js'
import { writeConfig } from '../../helpers/openclaw.js'
import { tempDir } from '../../helpers/temp-dir.js'

const BASE = 'https://openclaw.internal.example:18789'

function load(routes: Record<string, unknown>, env: Record<string, string> = {}, more: Record<string, unknown> = {}) {
  const file = writeConfig(tempDir('openclaw-config-'), { ...more, openclaw: { routes } })
  return loadConfig({ ROUTER_CONFIG: file, ...env })
}

function problems(fn: () => unknown): string[] {
  try {
    fn()
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  return []
}

describe('openclaw.routes in the config', () => {
  it('defaults to trusted-proxy auth, narrowed scopes, end users, external risk, streaming', () => {
    const c = load({ claw: { baseUrl: BASE } })
    expect(c.openclaw.routes.claw).toMatchObject({
      agentId: 'default',
      access: 'users',
      risk: 'external',
      auth: { mode: 'trusted-proxy', userHeader: 'x-forwarded-user' },
      scopes: ['operator.read', 'operator.write'],
      rawIdentity: false,
      stream: true,
    })
  })

  it.each([
    ['token for end users', { auth: { mode: 'token' }, access: 'users' }, ['access', 'ownerAccess']],
    ['token for operators anywhere', { auth: { mode: 'token' }, access: 'operators' }, ['access', 'ownerAccess']],
    ['token without the acknowledgement', { auth: { mode: 'token' }, access: 'admin-conversations' }, ['ownerAccess']],
    ['operator.admin for end users', { scopes: ['operator.admin'] }, ['access', 'ownerAccess']],
  ])('owner access is refused: %s', (_, route, settings) => {
    const found = problems(() =>
      load({ claw: { baseUrl: BASE, ...route } }, { OPENCLAW_GATEWAY_TOKEN: 'tok-12345678' }),
    )
    for (const s of settings) expect(found.some((p) => p.startsWith(`openclaw.routes.claw.${s}:`))).toBe(true)
  })

  it('accepts the shared token only for operators in admin conversations, acknowledged; the token comes from *_FILE', () => {
    const dir = tempDir('openclaw-secret-')
    const tokenFile = writeConfig(dir, {}) // any private file; its content is replaced below
    writeFileSync(tokenFile, 'tok-from-a-file-123\n')
    const c = load(
      { claw: { baseUrl: BASE, auth: { mode: 'token' }, access: 'admin-conversations', ownerAccess: 'acknowledged' } },
      { OPENCLAW_GATEWAY_TOKEN_FILE: tokenFile },
    )
    expect(c.openclaw.gatewayToken).toBe('tok-from-a-file-123')
    const missing = problems(() =>
      load({
        claw: { baseUrl: BASE, auth: { mode: 'token' }, access: 'admin-conversations', ownerAccess: 'acknowledged' },
      }),
    )
    expect(missing).toEqual([
      expect.stringContaining('openclaw.routes.claw.auth.mode: auth.mode "token" needs openclaw.gatewayToken'),
    ])
  })

  it('a route budget lands where /budget and the budget step read it, and may not be set twice', () => {
    const c = load({ claw: { baseUrl: BASE, budget: { maxContextTokens: 900 } } })
    expect(effectiveBudget(c, { budgets: {} }, 'claw').limits.maxContextTokens).toBe(900)
    expect(
      problems(() =>
        load(
          { claw: { baseUrl: BASE, budget: { maxContextTokens: 900 } } },
          {},
          {
            budgets: { routes: { claw: { maxContextTokens: 800 } } },
          },
        ),
      ),
    ).toEqual([expect.stringContaining('openclaw.routes.claw.budget')])
  })

  it('refuses a Gateway URL the egress client would refuse at the first message', () => {
    expect(problems(() => load({ claw: { baseUrl: 'http://10.0.0.5:18789' } }))).toEqual([
      expect.stringContaining('openclaw.routes.claw.baseUrl: plain http is allowed only to a loopback Gateway'),
    ])
    expect(problems(() => load({ claw: { baseUrl: 'http://127.0.0.1:18789' } }))).toEqual([
      expect.stringContaining('must be listed in egress.allowHttpLoopback (127.0.0.1:18789)'),
    ])
    const ok = load(
      { claw: { baseUrl: 'http://127.0.0.1:18789' } },
      {},
      { egress: { allowHttpLoopback: ['127.0.0.1:18789'] } },
    )
    expect(ok.openclaw.routes.claw?.baseUrl).toBe('http://127.0.0.1:18789')
  })

  it('refuses an identity header that would carry credentials', () => {
    expect(problems(() => load({ claw: { baseUrl: BASE, auth: { userHeader: 'authorization' } } }))[0]).toContain(
      'openclaw.routes.claw.auth.userHeader',
    )
  })
})
