import { afterEach, describe, expect, it } from 'vitest'
import { approvalRequestReply } from '../../../src/admin/approval-text.js'
import { textsFor } from '../../../src/i18n/catalogue.js'
import type { RouterConfig } from '../../../src/config.js'
import { approval } from '../../../src/router/approval.js'
import { parse } from '../../../src/router/parse.js'
import { policy } from '../../../src/router/policy.js'
import { route } from '../../../src/router/route.js'
import { fakeClock } from '../../helpers/ops-services.js'
import { middlewareHarness, operatorCommand } from '../../helpers/pipeline-context.js'
import { OP1, OP2 } from '../../helpers/router.js'
import { auditedUpdate } from '../../helpers/state.js'
import { countingSkill } from '../../helpers/test-skills.js'

// approval() on its own: a command that widens exposure does not run; it becomes a request a second
// operator must approve, committed with its audit entry. Contexts come through parse, policy and route.

let h: ReturnType<typeof middlewareHarness>
afterEach(() => h.close())

function setUp(configure?: (c: RouterConfig) => RouterConfig) {
  h = middlewareHarness({ skills: [countingSkill('count').skill], configure, now: fakeClock().now })
  return async (input: Parameters<typeof h.context>[0]) => {
    const ctx = await h.through([parse(h.config.limits), policy(), route()], h.context(input))
    return { ctx, ...(await h.run(approval(), ctx)) }
  }
}

const turnOff = (skill: string) =>
  auditedUpdate(h.services, OP1.name, 'noisy', (d) => void (d.skills[skill] = { enabled: false }))
const requireApproval = (command: string, required: boolean) => (c: RouterConfig) => ({
  ...c,
  approvals: { ...c.approvals, require: { [command]: required } },
})
const entries = () => [...h.services.audit.entries()].filter((e) => e.action !== 'test-state')

describe('approval', () => {
  it('hands on a command that narrows exposure, and skill messages, without asking anyone', async () => {
    const send = setUp()
    expect((await send(operatorCommand('/disable-skill count'))).calledNext).toBe(true)
    expect((await send('count')).calledNext).toBe(true)
    expect(h.services.approvals.pending(h.services.now())).toEqual([])
  })

  it('turns a widening command into a request with its audit entry, and mentions the other operators', async () => {
    const send = setUp()
    turnOff('count')
    const { ctx, calledNext } = await send(operatorCommand('/enable-skill count'))
    expect(calledNext).toBe(false)
    expect(ctx.outcome).toBe('approval-requested')
    const [request] = h.services.approvals.pending(h.services.now())
    expect(request).toMatchObject({ command: 'enable-skill', requester: OP1.staffId, args: { skill: 'count' } })
    expect(entries()).toMatchObject([
      { actor: OP1.name, action: 'enable-skill', outcome: 'requested', approvalId: request!.id },
    ])
    expect([...ctx.mentions]).toEqual([OP2.staffId])
    expect(h.replies.sent).toHaveLength(1)
    expect(h.replies.sent[0]!.options.mention).toEqual([OP2.staffId])
    expect(h.replies.sent[0]!.content).toEqual(
      approvalRequestReply(
        request!,
        h.services.now(),
        textsFor('en').approval,
        '"count" is off now; approving turns it on for every user.',
      ),
    )
    // Not run: the skill is still off.
    expect(h.services.state.isSkillEnabled('count')).toBe(false)
  })

  it('asks for nothing when enabling would change nothing', async () => {
    const send = setUp()
    expect((await send(operatorCommand('/enable-skill count'))).calledNext).toBe(true)
  })

  it('follows the config when it forces or waives the second operator', async () => {
    let send = setUp(requireApproval('disable-skill', true))
    expect((await send(operatorCommand('/disable-skill count'))).ctx.outcome).toBe('approval-requested')
    h.close()
    send = setUp(requireApproval('enable-skill', false))
    turnOff('count')
    expect((await send(operatorCommand('/enable-skill count'))).calledNext).toBe(true)
  })

  it('opens no request when its dry run cannot be made, and puts the attempt on the record as rejected', async () => {
    const send = setUp(requireApproval('enable-skill', true))
    const { ctx, calledNext } = await send(operatorCommand('/enable-skill nope'))
    expect(calledNext).toBe(false)
    expect(ctx.outcome).toBe('replied')
    expect(h.services.approvals.pending(h.services.now())).toEqual([])
    expect(h.replies.texts()).toEqual([expect.stringContaining('nope')])
    expect(entries()).toMatchObject([{ action: 'enable-skill', outcome: 'rejected', detail: h.replies.texts()[0] }])
  })
})
