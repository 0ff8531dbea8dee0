import { describe, expect, it } from 'vitest'
import { defineSkill, type SkillDefinition } from '../../src/define.js'
import type { AttachmentType } from '../../src/dingtalk/message.js'
import { SkillRegistry } from '../../src/skill-registry.js'

const skill = (attachments: string[]) =>
  defineSkill({
    name: 'keep',
    description: 'keeps files',
    example: 'keep',
    match: /^keep$/,
    risk: 'read',
    attachments: attachments as AttachmentType[],
    handler: () => 'kept',
  }) as SkillDefinition<unknown>

describe('SkillRegistry: attachment declarations', () => {
  it('accepts the attachment types DingTalk sends and refuses others before the bot connects', () => {
    expect(() => new SkillRegistry([skill(['picture', 'file', 'video'])])).not.toThrow()
    expect(() => new SkillRegistry([skill(['audio'])])).toThrow(
      /attachments "audio" must be one of picture, file, video/,
    )
  })
})
