import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

// Finds the package root (package.json, migrations/, assets) from the sources and from the build alike.

const PACKAGE_NAME = 'dingtalk-ops-router'

/**
 * The folder holding the project's package.json, found by walking up from this file. The sources run from
 * `src/` and the production build from `dist/src/`, so paths to migrations and assets are taken from the
 * package root, never relative to the module that needs them.
 */
function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME
    ) {
      return dir
    }
    if (dirname(dir) === dir) throw new Error(`could not find the ${PACKAGE_NAME} package.json above ${start}`)
  }
}

/** Absolute path of the package root (where package.json, migrations/ and the assets live). */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)))

/**
 * A path inside the package root.
 * @example packagePath('migrations') // '/app/migrations'
 */
export function packagePath(...parts: string[]): string {
  return resolve(PACKAGE_ROOT, ...parts)
}
