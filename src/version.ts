import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { PACKAGE_ROOT } from './package-root.js'

// The package version and the running release digest (IMAGE_DIGEST, else version and git sha).

const ROOT = PACKAGE_ROOT

/** The package version, and the running digest: IMAGE_DIGEST, else version plus the git sha when there is one. */
export function releaseIdentity(env: NodeJS.ProcessEnv = process.env): { version: string; digest: string } {
  let version = '0.0.0'
  try {
    version = (JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string }).version
  } catch {
    // A missing package.json only costs the version label.
  }
  if (env.IMAGE_DIGEST) return { version, digest: env.IMAGE_DIGEST }
  try {
    const sha = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 2000,
    })
      .toString()
      .trim()
    return { version, digest: `${version}+${sha}` }
  } catch {
    return { version, digest: version }
  }
}
