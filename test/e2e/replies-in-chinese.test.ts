import { afterEach, describe, expect, it } from 'vitest'
import { textsFor } from '../../src/i18n/catalogue.js'
import { startFakeModel, type FakeModel } from '../helpers/fake-model.js'
import { startTestRouter, withoutMentions, type TestRouter } from '../helpers/router.js'
import { startBudgetRouter } from '../helpers/budget.js'
import { PATIENCE } from '../helpers/patience.js'
import { startStandInApi, type StandInApi } from '../helpers/stand-in-api.js'

// A writer of Chinese is answered in Chinese, through the real SDK, the simulator and the whole pipeline;
// `ROUTER_LOCALE=zh-CN` makes Chinese the answer to messages that say nothing about their writer's language.

const zh = textsFor('zh-CN')
const en = textsFor('en')

describe('replies in Chinese', { timeout: 5 * PATIENCE }, () => {
  let r: TestRouter | undefined
  let fake: FakeModel | undefined
  let api: StandInApi | undefined
  afterEach(async () => {
    await r?.stop()
    await fake?.close()
    await api?.close()
    r = undefined
    fake = undefined
    api = undefined
  }, PATIENCE)

  it('帮助 lists the skills with Chinese descriptions and examples; help stays English', async () => {
    fake = await startFakeModel()
    r = await startBudgetRouter({ fake })
    const help = withoutMentions(await r.say('帮助'))
    expect(help.split('\n')).toEqual([
      '### 我能做什么',
      '- **帮助**：看看我能为你做什么',
      '- **ping**：检查机器人是否在线',
      '- **服务状态 payments**：查询内部服务的当前状态',
      '- **问 为什么 10:40 以后结账变慢了？**：向值班助手（语言模型）提一个简短的问题',
    ])
    const english = withoutMentions(await r.say('help'))
    expect(english.split('\n')).toEqual([
      '### What I can do',
      '- **help**: What I can do for you',
      '- **ping**: Check that the bot is alive',
      '- **status payments**: Current status of an internal service',
      '- **ask why is checkout slow since 10:40?**: Ask the on-call assistant (a language model) a short question',
    ])
    // The Chinese example is what the Chinese matcher takes: typed as shown, it reaches the skill.
    expect(withoutMentions(await r.say('服务状态 payments'))).toBe(zh.serviceStatus.notConfigured)
    expect(withoutMentions(await r.say('在吗'))).toBe(zh.skills.ping.reply)
  })

  it('问 tells the model to answer in Chinese, and words its own notes in Chinese', async () => {
    fake = await startFakeModel()
    fake.otherwise({
      content: '支付服务 10:40 起超时，先查 payments 的连接池。',
      usage: { prompt: 40, completion: 12 },
    })
    r = await startBudgetRouter({ fake })
    const answer = withoutMentions(await r.say('问 结账为什么变慢了？'))
    expect(answer).toBe('支付服务 10:40 起超时，先查 payments 的连接池。')
    const system = fake.calls[0]!.body.messages[0]!
    expect(system.role).toBe('system')
    expect(system.content).toMatch(/Answer in simplified Chinese\.$/)
    // The same words again: from the cache, marked in Chinese.
    expect(withoutMentions(await r.say('问 结账为什么变慢了？'))).toBe(`${answer}\n\n${zh.ask.cachedNote}`)
    expect(fake.calls).toHaveLength(1)
    // An English question is not told to answer in Chinese.
    await r.say('ask why is checkout slow?')
    expect(fake.calls[1]!.body.messages[0]!.content).not.toContain('Chinese')
  })

  it('refuses in Chinese: over the budget (no model call), not allowed, model down', async () => {
    fake = await startFakeModel()
    r = await startBudgetRouter({
      fake,
      routes: { ask: { maxContextTokens: 150 } },
      configure: (c) => ({ ...c, users: { ...c.users, allow: ['user1'] } }),
    })
    const pasted = '支付服务超时，订单创建失败，错误码 504。'.repeat(20)
    const refused = withoutMentions(await r.say(`问 为什么结账失败？\n${pasted}`))
    expect(refused).toMatch(
      /^这条请求约 [\d,]+ 个 token，本路由最多接受 150 个。请缩小范围：写明服务名、时间段，以及最关键的那一行错误。$/,
    )
    expect(fake.calls).toHaveLength(0)

    const stranger = await r.say({ text: '帮助', senderStaffId: 'user9' })
    expect(withoutMentions(stranger)).toBe(zh.router.notAllowed)
    expect(withoutMentions(await r.say({ text: 'help', senderStaffId: 'user9' }))).toBe(en.router.notAllowed)

    fake.otherwise({ status: 503, body: '{"error":"overloaded"}' })
    expect(withoutMentions(await r.say('问 支付挂了吗？'))).toBe(zh.ask.modelDown)
  })

  it('服务状态: the answer, its fallback and the egress explanations in Chinese', async () => {
    api = await startStandInApi()
    const statusApi = api
    r = await startTestRouter({
      configure: (c) => ({
        ...c,
        services: { ...c.services, statusApi: { baseUrl: statusApi.url } },
        egress: { ...c.egress, allowHttpLoopback: [statusApi.hostPort] },
      }),
    })
    const say = async (text: string) => withoutMentions(await r!.say(text, PATIENCE))
    expect(await say('服务状态 payments')).toBe('payments：ok（all good at /v1/payments）')
    statusApi.handle((_req, res) => res.writeHead(404).end())
    expect(await say('状态：nosuch')).toBe('没有找到名为“nosuch”的服务。')
    // The status API fails: the last good answer, in the asker's language, says how old it is.
    statusApi.handle((_req, res) => res.writeHead(500).end())
    expect(await say('服务状态 payments')).toMatch(
      /^payments：ok（all good at \/v1\/payments）。状态接口暂时没有响应，这是(刚刚|\d+秒前)的最新结果。$/,
    )
    expect(await say('status payments')).toMatch(/^payments: ok \(all good at \/v1\/payments\)\. Last known /)
    // Credentials refused is not an outage, and is said so in Chinese.
    statusApi.handle((_req, res) => res.writeHead(401).end())
    expect(await say('服务状态 payments')).toBe(
      `“service-status”：${statusApi.hostPort} 拒绝了路由器的凭据（HTTP 401）。服务在正常响应，需要运维人员检查为它配置的凭据。`,
    )
  })

  it('with ROUTER_LOCALE=zh-CN, messages without Chinese are answered in Chinese too', async () => {
    r = await startTestRouter({ env: { ROUTER_LOCALE: 'zh-CN' } })
    expect(r.config.locale).toBe('zh-CN')
    expect((await r.say('ping')).text).toBe('pong（我在线）')
    expect((await r.say('hello there')).text).toBe('我没看懂这条消息。发送“帮助”看看我能做什么。')
    // A `/command` from someone who is not an operator: the same refusal, in Chinese.
    expect((await r.say('/status')).text).toBe(zh.router.commandRefused)
  })
})
