/** Shared set-up for the DingTalk-native message tests (not a test file itself): a skill that takes files. */
import { createHash } from 'node:crypto'
import { defineSkill, type SkillDefinition } from '../../src/define.js'

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
