import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

interface ComposeService {
  image: string
  user?: string
  read_only?: boolean
  tmpfs?: string[]
  ports?: string[]
  environment?: Record<string, string>
  volumes?: string[]
  secrets?: string[]
  healthcheck?: { test: string[]; interval?: string; retries?: number }
  cap_drop?: string[]
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as {
  services: Record<string, ComposeService>
  secrets: Record<string, { file: string }>
}
const router = compose.services.router!
const dockerfile = readFileSync('Dockerfile', 'utf8')

describe('docker-compose.yml (parsed; no Docker engine needed)', () => {
  it('publishes the HTTP port on the host loopback only, with the in-container listener opted in', () => {
    expect(router.ports).toEqual(['127.0.0.1:8080:8080'])
    for (const p of router.ports ?? []) expect(p).toMatch(/^127\.0\.0\.1:/)
    expect(router.environment).toMatchObject({
      ROUTER_HTTP_HOST: '0.0.0.0',
      ROUTER_HTTP_PORT: '8080',
      ROUTER_HTTP_ALLOW_PUBLIC: '1',
    })
  })

  it('checks /ready with node (the slim image has no curl)', () => {
    const test = router.healthcheck?.test ?? []
    expect(test[0]).toBe('CMD')
    expect(test[1]).toBe('node')
    expect(test.join(' ')).toContain('http://127.0.0.1:8080/ready')
    expect(router.healthcheck?.retries).toBeGreaterThan(0)
  })

  it('runs as the non-root node user with a read-only root filesystem, a /tmp tmpfs and no capabilities', () => {
    expect(router.user).toBe('1000:1000')
    expect(router.user).not.toMatch(/^(0|root)(:|$)/)
    expect(router.read_only).toBe(true)
    expect(router.tmpfs?.some((t) => t.startsWith('/tmp'))).toBe(true)
    expect(router.cap_drop).toEqual(['ALL'])
    expect(dockerfile).toMatch(/^USER node$/m)
  })

  it('keeps data on a volume and takes secrets as files, never as values', () => {
    expect(router.volumes?.some((v) => v.endsWith(':/data'))).toBe(true)
    expect(router.environment?.ROUTER_DB).toBe('/data/router.db')
    expect(router.secrets).toEqual(['dingtalk_client_id', 'dingtalk_client_secret', 'router_audit_key'])
    for (const name of router.secrets ?? []) expect(compose.secrets[name]?.file).toMatch(/^\.\/secrets\//)
    expect(router.environment).toMatchObject({
      DINGTALK_CLIENT_ID_FILE: '/run/secrets/dingtalk_client_id',
      DINGTALK_CLIENT_SECRET_FILE: '/run/secrets/dingtalk_client_secret',
      ROUTER_AUDIT_KEY_FILE: '/run/secrets/router_audit_key',
    })
    for (const key of ['DINGTALK_CLIENT_SECRET', 'DINGTALK_CLIENT_ID', 'ROUTER_AUDIT_KEY'])
      expect(router.environment).not.toHaveProperty(key)
  })

  it('takes the image from ROUTER_IMAGE so the reconciler can pin a digest, and passes the digest on', () => {
    expect(router.image).toMatch(/^\$\{ROUTER_IMAGE:-[^}]+\}$/)
    expect(router.environment?.IMAGE_DIGEST).toBe('${ROUTER_IMAGE_DIGEST:-}')
    expect(router.environment?.DEPLOYED_BY).toBe('${DEPLOYED_BY:-unknown}')
    // No Docker socket inside: the reconciler runs on the host.
    expect(JSON.stringify(router)).not.toContain('docker.sock')
  })
})

describe('Dockerfile', () => {
  it('is multi-stage on a pinned Node 20 slim tag, compiles better-sqlite3 in the build stage, and runs node directly', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20\.\d+\.\d+-\w+-slim$/m)
    expect(dockerfile).toMatch(/^FROM \$\{NODE_IMAGE\} AS build$/m)
    expect(dockerfile).toMatch(/^FROM \$\{NODE_IMAGE\} AS runtime$/m)
    expect(dockerfile).toMatch(/apt-get install -y --no-install-recommends python3 make g\+\+/)
    expect(dockerfile).toContain('npm ci --omit=dev')
    expect(dockerfile).toContain('CMD ["node", "--import", "tsx", "src/main.ts"]')
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> }
    // The image runs the sources through tsx, so it must stay a production dependency.
    expect(pkg.dependencies.tsx).toBeDefined()
  })
})
