import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DingTalkSimulator } from '../../src/simulator/index.js'
import { postJson } from '../helpers/sdk-bot.js'

const T = { timeout: 20_000 }
let sim: DingTalkSimulator

beforeEach(async () => {
  sim = new DingTalkSimulator()
  await sim.start()
})

afterEach(async () => {
  await sim.stop()
})

async function token(): Promise<string> {
  const res = await postJson(`${sim.apiBase}/v1.0/oauth2/accessToken`, {
    appKey: sim.clientId,
    appSecret: sim.clientSecret,
  })
  expect(res.status).toBe(200)
  expect(res.json.expireIn).toBe(7200)
  return res.json.accessToken as string
}

describe('OpenAPI', () => {
  it('refuses a token for bad credentials', T, async () => {
    const res = await postJson(`${sim.apiBase}/v1.0/oauth2/accessToken`, { appKey: sim.clientId, appSecret: 'x' })
    expect(res.status).toBe(401)
    expect(res.json).toMatchObject({
      code: expect.any(String),
      message: expect.any(String),
      requestid: expect.any(String),
    })
  })

  it('records a group send made with a valid token', T, async () => {
    const at = await token()
    const res = await postJson(
      `${sim.apiBase}/v1.0/robot/groupMessages/send`,
      {
        robotCode: sim.robotCode,
        openConversationId: 'cid-ops',
        msgKey: 'sampleMarkdown',
        msgParam: JSON.stringify({ title: 'Incident', text: '## down' }),
      },
      { 'x-acs-dingtalk-access-token': at },
    )
    expect(res.status).toBe(200)
    expect(res.json.processQueryKey).toEqual(expect.any(String))
    expect(await sim.waitForReply({ conversationId: 'cid-ops' }, 1)).toMatchObject({
      kind: 'group',
      msgtype: 'sampleMarkdown',
      title: 'Incident',
      text: '## down',
    })
  })

  it('records a one-to-one send', T, async () => {
    const at = await token()
    const res = await postJson(
      `${sim.apiBase}/v1.0/robot/oToMessages/batchSend`,
      {
        robotCode: sim.robotCode,
        userIds: ['user1', 'user2'],
        msgKey: 'sampleText',
        msgParam: JSON.stringify({ content: 'hi' }),
      },
      { 'x-acs-dingtalk-access-token': at },
    )
    expect(res).toMatchObject({ status: 200, json: { invalidStaffIdList: [], flowControlledStaffIdList: [] } })
    expect(sim.replies[0]).toMatchObject({
      kind: 'oto',
      userIds: ['user1', 'user2'],
      msgtype: 'sampleText',
      text: 'hi',
    })
  })

  it('refuses sends without a valid token with 400 InvalidAuthentication, as DingTalk does', T, async () => {
    const body = {
      robotCode: sim.robotCode,
      openConversationId: 'cid-ops',
      msgKey: 'sampleText',
      msgParam: '{"content":"x"}',
    }
    const attempts: Array<Record<string, string>> = [{}, { 'x-acs-dingtalk-access-token': 'forged' }]
    for (const headers of attempts) {
      const res = await postJson(`${sim.apiBase}/v1.0/robot/groupMessages/send`, body, headers)
      expect(res.status).toBe(400)
      expect(res.json.code).toBe('InvalidAuthentication')
    }
    expect(sim.replies).toEqual([])
  })

  it('validates robotCode, msgKey and msgParam with 400 errors', T, async () => {
    const headers = { 'x-acs-dingtalk-access-token': await token() }
    const url = `${sim.apiBase}/v1.0/robot/groupMessages/send`
    const base = {
      robotCode: sim.robotCode,
      openConversationId: 'cid-ops',
      msgKey: 'sampleText',
      msgParam: '{"content":"x"}',
    }
    const bad = [
      { ...base, robotCode: 'other' },
      { ...base, msgKey: 'sampleVoodoo' },
      { ...base, msgParam: '{not json' },
      { ...base, msgKey: 'sampleMarkdown' },
      { ...base, msgParam: JSON.stringify({ content: 'x'.repeat(15_001) }) },
      { ...base, openConversationId: undefined },
    ]
    for (const body of bad) {
      const res = await postJson(url, body, headers)
      expect(res.status).toBe(400)
      expect(res.json).toMatchObject({
        code: expect.any(String),
        message: expect.any(String),
        requestid: expect.any(String),
      })
    }
    const tooMany = await postJson(
      `${sim.apiBase}/v1.0/robot/oToMessages/batchSend`,
      { ...base, userIds: Array.from({ length: 21 }, (_, i) => `u${i}`) },
      headers,
    )
    expect(tooMany.status).toBe(400)
    expect(sim.replies).toEqual([])
  })

  it('hands out one token per validity period, and a new one only after revocation', T, async () => {
    const first = await token()
    const again = await postJson(`${sim.apiBase}/v1.0/oauth2/accessToken`, {
      appKey: sim.clientId,
      appSecret: sim.clientSecret,
    })
    expect(again.json.accessToken).toBe(first)
    expect(again.json.expireIn as number).toBeLessThanOrEqual(7200)
    expect(sim.stats.tokensIssued).toBe(1)
    sim.revokeTokens()
    const body = {
      robotCode: sim.robotCode,
      openConversationId: 'cid-ops',
      msgKey: 'sampleText',
      msgParam: '{"content":"x"}',
    }
    const refused = await postJson(`${sim.apiBase}/v1.0/robot/groupMessages/send`, body, {
      'x-acs-dingtalk-access-token': first,
    })
    expect(refused).toMatchObject({ status: 400, json: { code: 'InvalidAuthentication' } })
    expect(await token()).not.toBe(first)
    expect(sim.stats).toMatchObject({ tokensIssued: 2, tokensRejected: 1 })
  })

  it('answers 200 with flow-controlled and invalid recipients, recording only the delivered ones', T, async () => {
    const headers = { 'x-acs-dingtalk-access-token': await token() }
    sim.flowControlNext('user2', 1)
    sim.setInvalidStaffIds(['ghost'])
    const body = {
      robotCode: sim.robotCode,
      userIds: ['user1', 'user2', 'ghost'],
      msgKey: 'sampleText',
      msgParam: '{"content":"x"}',
    }
    const url = `${sim.apiBase}/v1.0/robot/oToMessages/batchSend`
    const res = await postJson(url, body, headers)
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({
      processQueryKey: expect.any(String),
      invalidStaffIdList: ['ghost'],
      flowControlledStaffIdList: ['user2'],
    })
    expect(sim.replies.map((r) => r.userIds)).toEqual([['user1']])
    const retry = await postJson(url, { ...body, userIds: ['user2'] }, headers)
    expect(retry.json).toMatchObject({ invalidStaffIdList: [], flowControlledStaffIdList: [] })
    expect(sim.replies.at(-1)?.userIds).toEqual(['user2'])
  })

  it('serves message files through messageFiles/download and a short-lived URL', T, async () => {
    const headers = { 'x-acs-dingtalk-access-token': await token() }
    const sent = sim.sendMessage({ msgtype: 'file', file: 'log bundle bytes' })
    const downloadCode = (sent.payload.content as { downloadCode: string }).downloadCode
    const url = `${sim.apiBase}/v1.0/robot/messageFiles/download`
    const res = await postJson(url, { robotCode: sim.robotCode, downloadCode }, headers)
    expect(res.status).toBe(200)
    const file = await fetch(res.json.downloadUrl as string)
    expect(await file.text()).toBe('log bundle bytes')
    expect((await postJson(url, { robotCode: sim.robotCode, downloadCode: 'made-up' }, headers)).status).toBe(400)
    expect((await postJson(url, { robotCode: 'other', downloadCode }, headers)).status).toBe(400)
    expect((await postJson(url, { robotCode: sim.robotCode, downloadCode }, {})).json.code).toBe(
      'InvalidAuthentication',
    )
    expect((await fetch(`${sim.baseUrl}/sim/files?key=guessed`)).status).toBe(403)
  })
})
