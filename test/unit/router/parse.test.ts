import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mapRobotPayload } from '../../../src/dingtalk/message.js'
import { textsFor } from '../../../src/i18n/catalogue.js'
import { parse } from '../../../src/router/parse.js'
import { loadFixtures } from '../../helpers/dingtalk-fixtures.js'
import { middlewareHarness } from '../../helpers/pipeline-context.js'

// parse() on its own: what it lets through to policy, and what it answers itself.

const en = textsFor('en').inbound
const zh = textsFor('zh-CN').inbound

let h: ReturnType<typeof middlewareHarness>
beforeEach(() => {
  h = middlewareHarness()
})
afterEach(() => h.close())

const step = () => parse(h.config.limits)

describe('parse', () => {
  it('hands plain text on untouched, as skill text', async () => {
    const ctx = h.context('ping')
    expect(await h.run(step(), ctx)).toMatchObject({ calledNext: true, outcomeAtNext: 'pending' })
    expect(ctx.commandParse).toBeUndefined()
    expect(h.replies.sent).toEqual([])
  })

  it('splits a /command line, not yet trusted, and hands it on', async () => {
    const ctx = h.context('/disable-skill ping reason="too noisy"')
    expect((await h.run(step(), ctx)).calledNext).toBe(true)
    expect(ctx.commandParse).toMatchObject({ ok: true, command: { name: 'disable-skill' } })
  })

  it('hands on an unreadable /command too: policy decides who may hear why', async () => {
    const ctx = h.context('/approve "unclosed')
    expect((await h.run(step(), ctx)).calledNext).toBe(true)
    expect(ctx.commandParse).toMatchObject({ ok: false })
    expect(h.replies.sent).toEqual([])
  })

  it('answers a message over maxMessageChars itself, in the writer’s language', async () => {
    const max = h.config.limits.maxMessageChars
    const english = h.context('x'.repeat(max + 1))
    expect((await h.run(step(), english)).calledNext).toBe(false)
    expect(english.outcome).toBe('too-long')
    const chinese = h.context('长'.repeat(max + 1))
    await h.run(step(), chinese)
    expect(h.replies.texts()).toEqual([en.tooLong(max + 1, max), zh.tooLong(max + 1, max)])
  })

  it('takes text of exactly maxMessageChars', async () => {
    expect((await h.run(step(), h.context('x'.repeat(h.config.limits.maxMessageChars)))).calledNext).toBe(true)
  })

  it('answers files without text: nothing to route', async () => {
    const ctx = h.context({ msgtype: 'file' })
    expect((await h.run(step(), ctx)).calledNext).toBe(false)
    expect(ctx.outcome).toBe('unsupported')
    expect(h.replies.texts()).toEqual([en.cannotUseFiles(ctx.msg.attachments)])
  })

  it('answers a type it cannot read, naming it', async () => {
    const ctx = h.context({ msgtype: 'markdown', content: { text: 'x' } })
    expect((await h.run(step(), ctx)).calledNext).toBe(false)
    expect(ctx.outcome).toBe('unsupported')
    expect(h.replies.texts()).toEqual([en.unsupportedType('markdown')])
  })

  it('answers a voice message without recognised words', async () => {
    const ctx = h.context({ msgtype: 'audio', content: { duration: 2000, downloadCode: 'c1' } })
    expect((await h.run(step(), ctx)).calledNext).toBe(false)
    expect(h.replies.texts()).toEqual([en.voiceWithoutWords])
  })
})

describe('parse on every payload DingTalk publishes', () => {
  const fixtures = loadFixtures()
  // What parse must do with each published payload: hand it on, or answer it (a message without text is
  // answered in the configured locale, English by default).
  const expected: Record<string, 'next' | ((attachments: Parameters<typeof en.cannotUseFiles>[0]) => string)> = {
    '01-text-1on1.json': 'next',
    '02-picture-1on1.json': (a) => en.cannotUseFiles(a),
    '03-video-1on1.json': (a) => en.cannotUseFiles(a),
    '04-audio-1on1-recognition.json': 'next',
    '05-file-1on1.json': (a) => en.cannotUseFiles(a),
    '06-richtext-1on1-text-picture.json': 'next',
    '07-unknownmsgtype-1on1.json': () => en.unknownMsgType,
    '08-text-group-at-bot-stream.json': 'next',
  }

  it('has an expectation for every fixture and a fixture for every expectation', () => {
    expect(fixtures.map((f) => f.file).sort()).toEqual(Object.keys(expected).sort())
  })

  for (const [file, want] of Object.entries(expected)) {
    it(`${file}: ${want === 'next' ? 'handed on' : 'answered'}`, async () => {
      const fixture = fixtures.find((f) => f.file === file)!
      const mapped = mapRobotPayload(fixture.raw, h.services.now())
      if (mapped.kind !== 'message') throw new Error(`${file} did not map to a message`)
      const ctx = h.context(mapped.message)
      const { calledNext } = await h.run(step(), ctx)
      if (want === 'next') {
        expect(calledNext).toBe(true)
        expect(h.replies.sent).toEqual([])
      } else {
        expect(calledNext).toBe(false)
        expect(ctx.outcome).toBe('unsupported')
        expect(h.replies.texts()).toEqual([want(ctx.msg.attachments)])
      }
    })
  }
})
