import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { must, REGISTRY, ROOT } from './engine.js'

/** The repository releases are pushed to, as a deployment's ROUTER_IMAGE names it. */
export const REPO = `${REGISTRY}/ops/dingtalk-ops-router`

export interface Releases {
  /** Two good releases of the project image and one that crashes at start, by registry digest. */
  r1: string
  r2: string
  crash: string
}

/**
 * Builds the Node base image, the project image (Dockerfile, as a pipeline would) and two tagged releases of
 * it plus a release that crashes at start, and pushes all three to the registry. Returns their digests.
 */
export async function buildReleases(state: string, log: (line: string) => void): Promise<Releases> {
  const base = (await must(join(ROOT, 'test/container/engine/base-image.sh'), [])).trim().split('\n').at(-1)!
  log(`base image ${base}`)
  const build = (tag: string) =>
    must(
      'podman',
      [
        'build',
        '--format',
        'docker',
        '--secret',
        'id=npm_ca,src=/etc/ssl/certs/ca-certificates.crt',
        '--build-arg',
        `NODE_IMAGE=${base}`,
        '--label',
        `org.opencontainers.image.version=${tag}`,
        '-t',
        `localhost/dingtalk-ops-router:${tag}`,
        '.',
      ],
      { timeoutMs: 1_500_000 },
    )
  await build('r1')
  await build('r2')
  log('project image built (r1, r2)')
  // A release whose process exits at start. On the base image, not the project's, so the project's releases
  // can be removed from local storage (forgetLocally) without a child image holding on to them.
  writeFileSync(
    join(state, 'Containerfile.crash'),
    `FROM ${base}\nCMD ["node", "-e", "console.error('release that cannot start'); process.exit(1)"]\n`,
  )
  await must('podman', [
    'build',
    '--format',
    'docker',
    '-t',
    'localhost/dingtalk-ops-router:crash',
    '-f',
    join(state, 'Containerfile.crash'),
    state,
  ])
  const push = async (tag: string) => {
    const file = join(state, `digest-${tag}`)
    await must('podman', [
      'push',
      '--tls-verify=false',
      '--digestfile',
      file,
      `localhost/dingtalk-ops-router:${tag}`,
      `${REPO}:${tag}`,
    ])
    return readFileSync(file, 'utf8').trim()
  }
  const releases = { r1: await push('r1'), r2: await push('r2'), crash: await push('crash') }
  log(`pushed ${JSON.stringify(releases)}`)
  return releases
}

/**
 * Removes a release from the engine's local storage, so the next pull has to reach the registry (podman
 * answers a pull by digest from local storage when it has the image).
 */
export async function forgetLocally(digest: string): Promise<void> {
  const id = (await must('podman', ['image', 'inspect', '--format', '{{.Id}}', `${REPO}@${digest}`])).trim()
  // --force removes every name of the image, and would remove containers using it too: there must be none
  // (the Litestream sidecar runs a release as well), so that is checked first.
  const users = (await must('podman', ['ps', '-a', '-q', '--filter', `ancestor=${id}`])).trim()
  if (users) throw new Error(`release ${digest} is still used by container(s) ${users}`)
  await must('podman', ['rmi', '--force', id])
}
