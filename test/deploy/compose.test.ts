import { readFileSync, statSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

interface ComposeService {
  image: string
  entrypoint?: string[]
  command?: string[]
  security_opt?: string[]
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
const litestream = compose.services.litestream!
const dockerfile = readFileSync('Dockerfile', 'utf8')
const header = readFileSync('docker-compose.yml', 'utf8')

describe('docker-compose.yml (parsed; no Docker engine needed)', () => {
  it('publishes the HTTP port on the host loopback only, with the in-container listener opted in', () => {
    // The port can move through .env (ROUTER_HTTP_HOST_PORT); the address is fixed, so loopback by construction.
    expect(router.ports).toEqual(['127.0.0.1:${ROUTER_HTTP_HOST_PORT:-8080}:8080'])
    for (const p of router.ports ?? []) expect(p).toMatch(/^127\.0\.0\.1:/)
    expect(router.environment).toMatchObject({
      ROUTER_HTTP_HOST: '0.0.0.0',
      ROUTER_HTTP_PORT: '8080',
      ROUTER_HTTP_ALLOW_PUBLIC: '1',
    })
  })

  it('checks /ready with node (the image has no curl)', () => {
    const test = router.healthcheck?.test ?? []
    expect(test[0]).toBe('CMD')
    expect(test[1]).toBe('node')
    expect(test.join(' ')).toContain('http://127.0.0.1:8080/ready')
    expect(router.healthcheck?.retries).toBeGreaterThan(0)
  })

  it('runs both services as the dedicated uid 10001 with a read-only root filesystem, a /tmp tmpfs and no capabilities', () => {
    for (const service of [router, litestream]) {
      expect(service.user).toBe('10001:10001')
      expect(service.read_only).toBe(true)
      expect(service.tmpfs?.some((t) => t.startsWith('/tmp'))).toBe(true)
      expect(service.cap_drop).toEqual(['ALL'])
      expect(service.security_opt).toEqual(['no-new-privileges:true'])
    }
    expect(dockerfile).toMatch(/^USER 10001:10001$/m)
    expect(dockerfile).toMatch(
      /useradd --system --uid 10001 --gid 10001 --no-create-home .*\n.*--shell \/usr\/sbin\/nologin/,
    )
    // The header's set-up lines give data/ and the secrets to that uid.
    expect(header).toContain('install -d -m 0700 -o 10001 -g 10001 data replica')
    expect(header).toContain('chown 10001:10001 secrets/* && chmod 0400 secrets/*')
    expect(header).toContain('install -m 0600 /dev/null .env')
  })

  it('runs Litestream from the same image against the same data folder, with its config from deploy/', () => {
    expect(litestream.image).toBe(router.image)
    expect(litestream.entrypoint).toEqual(['/app/node_modules/@flydotio/litestream-linux-x64/litestream'])
    expect(litestream.command).toEqual(['replicate', '-config', '/config/litestream.yml'])
    expect(litestream.volumes).toContain('${ROUTER_DATA_DIR:-./data}:/data')
    expect(litestream.volumes).toContain('./deploy/litestream.yml:/config/litestream.yml:ro')
    expect(readFileSync('deploy/litestream.yml', 'utf8')).toMatch(
      /- path: \/data\/router\.db\n\s+replicas:\n\s+- url: \$\{LITESTREAM_REPLICA_URL\}/,
    )
    expect(litestream.ports).toBeUndefined()
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
  it('is multi-stage on a pinned Node 20 tag, builds and prunes in the build stage, and runs the compiled entry with node', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20\.\d+\.\d+-\w+-slim$/m)
    expect(dockerfile).toMatch(/^FROM \$\{NODE_IMAGE\} AS build$/m)
    expect(dockerfile).toMatch(/^FROM \$\{NODE_IMAGE\} AS runtime$/m)
    expect(dockerfile).toMatch(/apt-get install -y --no-install-recommends python3 make g\+\+/)
    // The proxy's CA is a build secret, never a layer.
    expect(dockerfile).toMatch(/RUN --mount=type=secret,id=npm_ca \\\n.*NODE_EXTRA_CA_CERTS=\/run\/secrets\/npm_ca/)
    expect(dockerfile).toContain('npm run build')
    expect(dockerfile).toContain('npm prune --omit=dev')
    expect(dockerfile).toMatch(/^ENV NODE_ENV=production/m)
    // Production never falls back to the simulator, and the data folder is private to the router's user.
    expect(dockerfile).toContain('chmod 0700 /data')
    // Started through the launcher that holds production's node flags, as `npm run start:prod` is.
    expect(dockerfile).toContain('CMD ["bin/router-node.sh", "dist/src/main.js"]')
    const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }
    expect(scripts['start:prod']).toBe('NODE_ENV=production bin/router-node.sh dist/src/main.js')
    expect(readFileSync('bin/router-node.sh', 'utf8')).toMatch(/^exec node --max-semi-space-size=\d+ .*"\$@"$/m)
    expect(statSync('bin/router-node.sh').mode & 0o755).toBe(0o755)
    // The runtime stage gets the compiled output, not the sources.
    expect(dockerfile.split('AS runtime')[1]).not.toMatch(/^COPY src /m)
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      dependencies: Record<string, string>
      devDependencies: Record<string, string>
    }
    // Nothing at run time needs tsx: bin/routerctl.mjs runs dist/ when src/ is absent.
    expect(pkg.dependencies.tsx).toBeUndefined()
    expect(pkg.devDependencies.tsx).toBeDefined()
  })
})
