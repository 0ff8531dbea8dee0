import { afterEach, describe, expect, it } from 'vitest'
import { defineSkill, type SkillDefinition } from '../../src/define.js'
import { createSkills } from '../../skills/index.js'
import { startFakeModel, type FakeModel } from '../helpers/fake-model.js'
import { ask, startBudgetRouter } from '../helpers/budget.js'
import { PATIENCE } from '../helpers/patience.js'
import { OP1, OPS, type TestRouter, startTestRouter } from '../helpers/router.js'

// What only operators may read: an error event as /diag shows it.
const OPS_ONLY = 'OPS-ONLY-EVENT payments-db primary at 10.20.30.40 refused connections'
const TOOL_CAP = /^I stopped after this route's limit of \d+ tool calls? without an answer/

/** Any absolute POSIX path with two or more parts that is not the path of an http(s) URL. */
const ABSOLUTE_PATH = /(?<![\w.:/-])\/[^\s/()'"`]+\/[^\s()'"`]+/

describe('least privilege: skills see only what their users may see', { timeout: 5 * PATIENCE }, () => {
  let r: TestRouter | undefined
  let fake: FakeModel | undefined
  afterEach(async () => {
    await r?.stop()
    await fake?.close()
    r = undefined
    fake = undefined
  }, PATIENCE)

  it("ask's tools cannot read the error events for an end user, and an operator's answer is never served to one", async () => {
    fake = await startFakeModel()
    r = await startBudgetRouter({ fake })
    r.app.services.events.record({ route: 'service-status', code: 'upstream-refused', message: OPS_ONLY }, Date.now())
    const sawOpsData = () => fake!.calls.some((c) => JSON.stringify(c.body.messages).includes('OPS-ONLY-EVENT'))
    const offered = (i: number) => (fake!.calls[i]!.body.tools ?? []).map((t) => t.function.name)

    // An end user: the model is offered no diagnostics tool, and a call to it anyway never runs.
    fake.script({ tools: [{ name: 'diagnostics_summary' }] })
    expect(await ask(r, 'what is failing right now?')).toMatch(TOOL_CAP)
    expect(offered(0)).not.toContain('diagnostics_summary')
    expect(sawOpsData()).toBe(false)

    // An operator in the admin group: the same question runs the tool and reads the event.
    fake.script({ tools: [{ name: 'diagnostics_summary' }] }, { content: 'The payments DB refuses connections.' })
    expect(await ask(r, 'why is checkout slow?', 'operator')).toBe('The payments DB refuses connections.')
    expect(offered(fake.calls.length - 2)).toContain('diagnostics_summary')
    expect(sawOpsData()).toBe(true)
    const callsSoFar = fake.calls.length

    // The end user asking the same words gets a fresh answer, not the operator's cached one.
    fake.script({ content: 'I cannot see the router internals; try "status payments".' })
    expect(await ask(r, 'why is checkout slow?')).toBe('I cannot see the router internals; try "status payments".')
    expect(fake.calls).toHaveLength(callsSoFar + 1)
    expect(JSON.stringify(fake.calls.at(-1)!.body)).not.toContain('OPS-ONLY-EVENT')
    expect(offered(callsSoFar)).not.toContain('diagnostics_summary')
    // The operator still gets the cached operator answer.
    expect(await ask(r, 'why is checkout slow?', 'operator')).toContain('(cached answer)')

    // An operator asking outside the admin group is an end user there.
    fake.script({ tools: [{ name: 'diagnostics_summary' }] })
    const dm = await r.say({ text: 'ask anything broken?', senderStaffId: OP1.staffId })
    expect(dm.text).toMatch(TOOL_CAP)
    expect(offered(fake.calls.length - 1)).not.toContain('diagnostics_summary')
  })

  it('/diag shows no absolute file path of the server, while still placing the fault', async () => {
    const missing = `${process.cwd()}/data/missing/router.db`
    const failing: SkillDefinition<unknown>[] = [
      defineSkill({
        name: 'flaky',
        description: 'fails, then answers from its fallback',
        example: 'flaky',
        match: /^flaky$/,
        risk: 'read',
        handler: () => {
          throw new Error(`ENOENT: no such file or directory, open '${missing}' (also /var/lib/router/state.json)`)
        },
        fallback: () => 'flaky fallback',
      }) as SkillDefinition<unknown>,
      defineSkill({
        name: 'broken',
        description: 'fails without a fallback',
        example: 'broken',
        match: /^broken$/,
        risk: 'read',
        handler: () => {
          throw new Error(`cannot read file:///etc/router/secret.yaml from ${process.cwd()}/skills/broken.ts`)
        },
      }) as SkillDefinition<unknown>,
    ]
    r = await startTestRouter({ skills: [...createSkills(), ...failing] })
    expect((await r.say('flaky')).text).toBe('flaky fallback')
    expect((await r.say('broken')).text).toMatch(/^Something went wrong on our side\. Reference: /)
    // The stored events do carry paths (stack samples, error messages): the chat view must not.
    expect(JSON.stringify(r.app.services.events.list())).toContain(process.cwd())

    for (const view of ['/diag', '/diag flaky', '/diag broken']) {
      const text = (await r.command(view)).text
      expect(text, view).not.toMatch(ABSOLUTE_PATH)
      expect(text, view).not.toContain(process.cwd())
      expect(text, view).not.toContain('/var/lib')
      expect(text, view).not.toContain('/etc/router')
    }
    const flaky = (await r.command('/diag flaky')).text
    // Still useful: the file name, and the stack frame relative to the project.
    expect(flaky).toContain('…/state.json')
    expect(flaky).toContain('data/missing/router.db')
    expect(flaky).toMatch(/Newest sample \(redacted\): .*test\/e2e\/least-privilege\.test\.ts/)
    expect((await r.command('/diag broken', OP1)).text).toContain('…/secret.yaml')
    // The admin conversation is where /diag lives; an end user asking gets the refusal.
    expect((await r.say({ text: '/diag', senderStaffId: 'user1', conversationId: OPS })).text).toMatch(/not available/)
  })
})
