import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/** Where the published DingTalk payloads live (a copy shared by every worktree, with sources in index.json). */
const FIXTURE_DIR = join(import.meta.dirname, '../../../shared/fixtures/dingtalk-payloads')

interface FixtureIndex {
  fixtures: { file: string; kind: string; msgtype: string; conversationType: '1' | '2' }[]
}

/** One published payload: its file name, its msgtype, its raw text and the parsed object. */
export interface DingTalkFixture {
  file: string
  msgtype: string
  raw: string
  payload: Record<string, unknown>
}

/**
 * Every fixture listed in index.json, read from disk.
 * @example for (const f of loadFixtures()) mapRobotPayload(f.raw, Date.now())
 */
export function loadFixtures(): DingTalkFixture[] {
  const index = JSON.parse(readFileSync(join(FIXTURE_DIR, 'index.json'), 'utf8')) as FixtureIndex
  return index.fixtures.map((f) => {
    const raw = readFileSync(join(FIXTURE_DIR, f.file), 'utf8')
    return { file: f.file, msgtype: f.msgtype, raw, payload: JSON.parse(raw) as Record<string, unknown> }
  })
}
