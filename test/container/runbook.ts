import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './engine.js'

/**
 * The first ```sh block under a docs/RUNBOOK.md heading, as the lines an operator types in the deployment
 * folder (the `cd /opt/dingtalk-router` line dropped: the suite runs in its own folder). The suite runs these
 * verbatim, so the RUNBOOK cannot drift from what is tested.
 * @example runbookBlock('## 8. The host is gone')
 */
export function runbookBlock(heading: string): string {
  const doc = readFileSync(join(ROOT, 'docs/RUNBOOK.md'), 'utf8')
  const at = doc.indexOf(`\n${heading}\n`)
  if (at < 0) throw new Error(`docs/RUNBOOK.md has no heading "${heading}"`)
  const block = /```sh\n([\s\S]*?)```/.exec(doc.slice(at))
  if (!block) throw new Error(`no sh block under "${heading}"`)
  return block[1]!
    .split('\n')
    .filter((line) => !/^cd \/opt\/dingtalk-router\b/.test(line))
    .join('\n')
}
