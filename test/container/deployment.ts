import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import type { DingTalkSimulator } from '../../src/simulator/index.js'
import { OP1, OP2, OPS, TEST_SECRETS } from '../helpers/router.js'
import { ROOT, run, type RunResult, shell } from './engine.js'
import { REPO } from './releases.js'

/** The router's port on the host's loopback: the compose default. */
export const HTTP_PORT = 8080

/**
 * The suite's only addition to the repository's compose file. The simulator runs on the host's loopback and
 * the router sends plain-HTTP session-webhook replies to loopback hosts only (anything else must be HTTPS),
 * so in the suite the router shares the host's network namespace and binds 127.0.0.1 itself; the published
 * `127.0.0.1:…:8080` of the real file is then moot (test/deploy/compose.test.ts checks it). The host's
 * namespace is named by path: podman takes it, and docker-compose's client-side "host mode cannot publish
 * ports" check (for the literal `host`) does not stop the real file's `ports` from being merged in.
 */
const CI_OVERRIDE = `services:
  router:
    network_mode: "ns:/proc/self/ns/net"
    environment:
      ROUTER_HTTP_HOST: 127.0.0.1
`

/**
 * A deployment folder as the compose header sets one up: the compose file and deploy/ copied from the
 * repository (plus the suite's network override, named in .env's COMPOSE_FILE), router.yaml (pointing at the simulator on the host's address), secrets/ and a 0600 .env
 * pinning `digest`. data/ and replica/ are left to the caller (the first test shows what a missing one does).
 */
export function deploymentFolder(dir: string, sim: DingTalkSimulator, digest: string): Deployment {
  mkdirSync(dir, { recursive: true })
  cpSync(join(ROOT, 'docker-compose.yml'), join(dir, 'docker-compose.yml'))
  cpSync(join(ROOT, 'deploy'), join(dir, 'deploy'), { recursive: true })
  writeFileSync(join(dir, 'docker-compose.ci.yml'), CI_OVERRIDE)
  writeFileSync(
    join(dir, 'router.yaml'),
    stringify({
      dingtalk: {
        gatewayUrl: sim.gatewayUrl,
        apiBase: sim.apiBase,
        webhookHosts: [sim.webhookHost],
        robotCode: sim.robotCode,
      },
      operators: [OP1, OP2],
      adminConversations: [OPS],
    }),
  )
  mkdirSync(join(dir, 'secrets'), { mode: 0o700 })
  writeFileSync(join(dir, 'secrets/dingtalk_client_id'), sim.clientId)
  writeFileSync(join(dir, 'secrets/dingtalk_client_secret'), sim.clientSecret)
  writeFileSync(join(dir, 'secrets/router_audit_key'), TEST_SECRETS.auditKey)
  const d = new Deployment(dir)
  return d.writeEnv(
    [
      `ROUTER_IMAGE=${REPO}@${digest}`,
      `ROUTER_IMAGE_DIGEST=${digest}`,
      'DEPLOYED_BY=pipeline',
      `ROUTER_HTTP_HOST_PORT=${HTTP_PORT}`,
      'COMPOSE_PROJECT_NAME=routerci',
      'COMPOSE_FILE=docker-compose.yml:docker-compose.ci.yml',
    ].join('\n'),
  )
}

/** One deployment folder and the commands the README and the RUNBOOK run in it. */
export class Deployment {
  constructor(readonly dir: string) {}

  /** Writes .env as `install -m 0600 /dev/null .env` + echo lines would. */
  writeEnv(lines: string): this {
    writeFileSync(join(this.dir, '.env'), `${lines}\n`, { mode: 0o600 })
    return this
  }

  env(): string {
    return readFileSync(join(this.dir, '.env'), 'utf8')
  }

  /** A line typed in the deployment folder. */
  sh(line: string, env: Record<string, string> = {}): Promise<RunResult> {
    return shell(line, this.dir, env)
  }

  /** `deploy/reconcile.sh` as the systemd unit runs it (the repository taken from the current pin). */
  reconcile(env: Record<string, string> = {}): Promise<RunResult> {
    return run(join(this.dir, 'deploy/reconcile.sh'), [], {
      cwd: this.dir,
      env: { ROUTER_READY_INTERVAL: '1', ...env },
    })
  }

  /** The running router's /status over the published loopback port. */
  async status(): Promise<{ digest: string; stream: string }> {
    const res = await fetch(`http://127.0.0.1:${HTTP_PORT}/status`, { signal: AbortSignal.timeout(5000) })
    return (await res.json()) as { digest: string; stream: string }
  }

  /** The digest of the image the router container runs, read from the engine (the RUNBOOK's line). */
  async runningImageDigests(): Promise<string> {
    const r = await this.sh(
      `docker image inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' "$(docker inspect --format '{{.Image}}' "$(docker compose ps -q router)")"`,
    )
    if (r.code !== 0) throw new Error(r.stderr)
    return r.stdout
  }

  desired(): string | undefined {
    const file = join(this.dir, 'data/desired-release.json')
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined
  }
}
