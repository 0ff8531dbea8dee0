import { afterEach, describe, expect, it } from 'vitest'
import { dailyDigestJob } from '../../src/jobs/daily-digest.js'
import type { RecordedReply } from '../../src/simulator/index.js'
import { OP2, OPS, startTestRouter, type TestRouter, verifyAndStop } from '../helpers/router.js'
import { PATIENCE } from '../helpers/patience.js'
import { APPROVAL_TEMPLATE, press, startCardRouter } from '../helpers/cards.js'

const CHINESE = { ROUTER_LOCALE: 'zh-CN' }
const HAN = /\p{Script=Han}/u
/** The literal line DingTalk users type to approve, and the literal audit head every notice ends with. */
const APPROVE_LINE = /\/approve ([a-z2-7]{10})/
const AUDIT_HEAD = /— audit head \d+:[0-9a-f]{6,}$/

/** Waits for a notice in the admin group (the announcer's proactive send) whose text contains `part`. */
function notice(r: TestRouter, part: string): Promise<RecordedReply> {
  return r.sim.waitForReply(
    { conversationId: OPS, predicate: (m) => m.kind === 'group' && m.text.includes(part) },
    PATIENCE,
  )
}

function outcomes(r: TestRouter, id: string): string[] {
  return [...r.app.services.audit.entries()].filter((e) => e.approvalId === id).map((e) => e.outcome)
}

describe('operator texts in the configured locale', { timeout: 6 * PATIENCE }, () => {
  let r: TestRouter | undefined
  afterEach(async () => {
    await verifyAndStop(r)
    r = undefined
  }, PATIENCE)

  it('zh-CN: /status, an approval request with its literal /approve line, its decision and the notices are Chinese', async () => {
    r = await startTestRouter({ env: CHINESE })

    const status = await r.command('/status')
    expect(status.title).toMatch(/^状态：connected/)
    expect(status.text).toContain('### 路由器状态')
    expect(status.text).toContain('- **Stream 连接：** connected')
    expect(status.text).toContain('- **待审批：** 0')
    expect(status.text).not.toContain('Router status')

    // An English command with a Chinese reason: the reply is in the admin group's language, Chinese here.
    const off = await r.command('/disable-skill ping 夜间告警太多')
    expect(off.text).toContain('“ping”已关闭')
    const announced = await notice(r, '技能 **ping** 已由 alice 关闭：夜间告警太多')
    expect(announced.title).toBe('路由器通知')
    expect(announced.text).toMatch(AUDIT_HEAD)

    const request = await r.command('/enable-skill ping')
    expect(request.title).toBe('待审批：/enable-skill')
    expect(request.text).toContain('- **发起人：** alice')
    const id = APPROVE_LINE.exec(request.text)?.[1]
    expect(id, request.text).toBeDefined()
    expect(request.text).toContain(`另一位值班人员批准请发送：/approve ${id}`)
    expect(request.text).toContain(`拒绝请发送：/deny ${id}`)
    expect(request.text).toContain('**预演结果：**')

    const self = await r.command(`/approve ${id}`)
    expect(self.text).toContain('必须由另一位值班人员批准')

    const approved = await r.command(`/approve ${id}`, OP2)
    expect(approved.title).toBe('已批准：/enable-skill')
    expect(approved.text).toContain(`- **批准人：** bob · **id：** ${id}`)
    expect(approved.text).toContain('“ping”已重新开启')
    await notice(r, '技能 **ping** 已由 bob（alice 发起）开启')
    // Audit rows are data: the outcome words are the same in every language.
    expect(outcomes(r, id!)).toEqual(['requested', 'rejected', 'approved', 'executed'])

    const again = await r.command(`/approve ${id}`, OP2)
    expect(again.text).toContain(`请求 ${id}`)
    expect(again.text).toContain('不能再次批准')

    // A job's message reaches the admin group through the same announcer, in Chinese too.
    await dailyDigestJob(r.app.services).run(r.app.services.now())
    const digest = await notice(r, '每日摘要')
    expect(digest.text).toContain('- 已关闭技能：无；待审批：0')
    expect(digest.text).toMatch(AUDIT_HEAD)
  })

  it('zh-CN: the approval card reads Chinese, keeps the literal /approve line, and moves to a Chinese final state', async () => {
    r = await startCardRouter({ env: CHINESE })
    expect((await r.command('/disable-skill ping')).text).toContain('“ping”已关闭')
    r.sim.sendMessage({ text: '/enable-skill ping', senderStaffId: 'op1', conversationId: OPS })
    const card = await r.sim.waitForCard(
      (c) => c.templateId === APPROVAL_TEMPLATE && c.params.status === 'pending',
      PATIENCE,
    )
    const id = card.params.approvalId!
    expect(card.params.title).toBe('待审批：/enable-skill')
    expect(card.params.markdown).toContain('**发起人：** alice')
    expect(card.params.markdown).toContain(`也可以直接发送：/approve ${id} 或 /deny ${id}`)
    expect(card.params.statusText).toMatch(/^等待另一位值班人员审批，截止 \S+Z$/)

    const update = await press(r, card, OP2.staffId)
    expect(update).toMatchObject({ status: 'approved' })
    expect(update?.statusText).toMatch(/^已由 bob 批准（\S+Z）$/)
    const result = await notice(r, '已批准：')
    expect(result.text).toContain('“ping”已重新开启')
    expect(outcomes(r, id)).toEqual(['requested', 'approved', 'executed'])
  })

  it('en (the default): the same steps read as before, and a Chinese argument does not switch the language', async () => {
    r = await startTestRouter()

    const status = await r.command('/status')
    expect(status.title).toMatch(/^Status: connected/)
    expect(status.text).toContain('### Router status')
    expect(status.text).toContain('- **Pending approvals:** 0')

    const off = await r.command('/disable-skill ping 夜间告警太多')
    expect(off.text).toContain('"ping" is off')
    expect(off.text).not.toMatch(/已关闭/)
    const announced = await notice(r, 'Skill **ping** turned OFF by alice: 夜间告警太多')
    expect(announced.title).toBe('Router notice')
    expect(announced.text).toMatch(AUDIT_HEAD)

    const request = await r.command('/enable-skill ping')
    expect(request.title).toBe('Approval needed: /enable-skill')
    const id = APPROVE_LINE.exec(request.text)?.[1]
    expect(id, request.text).toBeDefined()
    expect(request.text).toContain(`A second operator approves with: /approve ${id}`)
    expect(request.text).toContain('- **Requested by:** alice')

    const approved = await r.command(`/approve ${id}`, OP2)
    expect(approved.title).toBe('Approved: /enable-skill')
    expect(approved.text).toContain('"ping" is on again')
    expect(approved.text).not.toMatch(HAN)
    await notice(r, 'Skill **ping** turned ON by bob (requested by alice)')
    expect(outcomes(r, id!)).toEqual(['requested', 'approved', 'executed'])
  })
})
