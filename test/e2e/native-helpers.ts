/**
 * Shared set-up for the DingTalk-native message tests (not a test file itself): the published payloads
 * from ../shared/fixtures/dingtalk-payloads, and a skill that takes files and fetches them.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { defineSkill, type SkillDefinition } from '../../src/define.js'

/** Where the published DingTalk payloads live (a copy shared by every worktree). */
export const FIXTURE_DIR = join(import.meta.dirname, '../../../shared/fixtures/dingtalk-payloads')

interface FixtureIndex {
  fixtures: { file: string; kind: string; msgtype: string; conversationType: '1' | '2' }[]
}

/** Every fixture listed in index.json, with its payload parsed. */
export function loadFixtures(): { file: string; msgtype: string; payload: Record<string, unknown> }[] {
  const index = JSON.parse(readFileSync(join(FIXTURE_DIR, 'index.json'), 'utf8')) as FixtureIndex
  return index.fixtures.map((f) => ({
    file: f.file,
    msgtype: f.msgtype,
    payload: JSON.parse(readFileSync(join(FIXTURE_DIR, f.file), 'utf8')) as Record<string, unknown>,
  }))
}

/** A skill that accepts pictures and files, fetches each through DingTalk and answers with its size and digest. */
export const keepFile = defineSkill({
  name: 'keep-file',
  description: 'Keeps the pictures and files you send with "keep"',
  example: 'keep (with a screenshot)',
  match: /^keep\b/i,
  risk: 'read',
  attachments: ['picture', 'file'],
  async handler({ ctx }) {
    if (!ctx.download) return 'no download helper'
    const lines: string[] = []
    for (const file of ctx.attachments) {
      const got = await ctx.download(file)
      const sha = createHash('sha256').update(got.bytes).digest('hex').slice(0, 12)
      lines.push(`${file.type} ${file.name ?? '-'} ${got.bytes.length} bytes sha256:${sha}`)
    }
    return lines.join('\n') || 'nothing attached'
  },
}) as SkillDefinition<unknown>
