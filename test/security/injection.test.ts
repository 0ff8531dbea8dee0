import { afterEach, describe, expect, it } from 'vitest'
import { PATIENCE } from '../helpers/patience.js'
import { OP1 } from '../helpers/router.js'
import { controlState, SecurityHarness } from '../helpers/security.js'

// Argument injection from a real operator in the admin group: shell metacharacters, extra words, unknown
// key=value fields, newlines that try to start a second command, paths, prototype names, control characters,
// very long arguments. Arguments are data: each line gets a usage reply or a refusal, nothing runs (the
// runtime state is unchanged), each attempt is audited, every log line is still one JSON record, and the
// audit chain verifies.

const h = new SecurityHarness()
afterEach(() => h.finish(), PATIENCE)

const USAGE = /^Usage: \//
const NO_SKILL = /^No skill named "/
const NO_ROUTE = /^No route named "/
const TOO_LONG = /^That message is \d+ characters; I take at most \d+\./
const UNREADABLE = /^Could not read that command: /

const CASES: [string, RegExp][] = [
  ['/disable-skill ping; rm -rf /', NO_SKILL],
  ['/disable-skill ping;rm -rf /', NO_SKILL],
  ['/disable-skill "ping" extra=1', USAGE],
  ['/disable-skill ping extra=1', USAGE],
  ['/disable-skill $(reboot)', NO_SKILL],
  ['/disable-skill `id`', NO_SKILL],
  ['/disable-skill ping|cat', NO_SKILL],
  ['/disable-skill ping&&id', NO_SKILL],
  ['/disable-skill nosuch\n/enable-skill ping', NO_SKILL],
  ['/status\n/disable-skill ping', USAGE],
  ['/whoami\r\n/disable-skill ping', USAGE],
  ['/disable-skill ../../etc', NO_SKILL],
  ['/disable-skill ../../etc/passwd', NO_SKILL],
  ['/disable-skill /etc/passwd', NO_SKILL],
  ['/disable-skill __proto__', NO_SKILL],
  ['/disable-skill constructor', NO_SKILL],
  ['/disable-skill hasOwnProperty', NO_SKILL],
  ['/disable-skill ping\u0000', NO_SKILL],
  ['/disable-skill pi\u0000ng', NO_SKILL],
  ['/disable-skill \u001b[31mping', NO_SKILL],
  ['/disable-skill ping\u200b', NO_SKILL],
  ['/disable-skill ｐｉｎｇ', NO_SKILL],
  ['/disable-skill skill=help toString=1', USAGE],
  ['/disable-skill nosuch __proto__=x', NO_SKILL],
  ['/budget ping __proto__=1', USAGE],
  ['/budget ping constructor=1', USAGE],
  ['/disable-skill ' + 'a'.repeat(65), USAGE],
  ['/disable-skill help ' + 'r'.repeat(201), USAGE],
  ['/disable-skill ' + 'x'.repeat(2100), TOO_LONG],
  ['/disable-skill ' + 'w '.repeat(70), UNREADABLE],
  ['/disable-skill "ping', UNREADABLE],
  ['/enable-skill ping && /approve x', USAGE],
  ['/enable-skill ping extra=1', USAGE],
  ['/budget ping context=1e9', USAGE],
  ['/budget ping context=-1', USAGE],
  ['/budget ping context=0x10', USAGE],
  ['/budget ping context=1;drop', USAGE],
  ['/budget ping context=$(id)', USAGE],
  ['/budget ../ping context=1', NO_ROUTE],
  ['/budget __proto__ context=1', NO_ROUTE],
  ['/budget ping context=1 context=2', UNREADABLE],
  ['/audit 5; DROP TABLE audit', USAGE],
  ['/audit 1 evil=1', USAGE],
  ['/incident on ttl=$(id)', USAGE],
  ['/incident on; rm -rf /', USAGE],
  ['/incident maybe', USAGE],
  ['/rollback config 1; rm -rf /', USAGE],
  ['/review ack 1;2', USAGE],
  ['/review ack $(id)', USAGE],
]

describe('security: argument injection in admin commands', { timeout: 5 * PATIENCE }, () => {
  it('answers each injected line with usage or a refusal, and runs nothing', async () => {
    const r = await h.router()
    const before = controlState(r)
    for (const [text, expected] of CASES) {
      const seqBefore = r.app.services.audit.recent(1)[0]?.seq ?? 0
      const reply = await r.command(text, OP1, PATIENCE)
      const label = JSON.stringify(text.slice(0, 80))
      expect(reply.text, label).toMatch(expected)
      // Each attempt is on the record, once, as rejected: refused before running, or refused by its action.
      const outcomes = r.app.services.audit
        .recent(5)
        .filter((e) => e.seq > seqBefore)
        .map((e) => e.outcome)
        .reverse()
      if (expected === USAGE || expected === UNREADABLE) expect(outcomes, label).toEqual(['rejected'])
      else if (expected === NO_SKILL || expected === NO_ROUTE) expect(outcomes, label).toEqual(['rejected'])
      // Over the length limit the text is refused before anyone is identified; nothing is recorded for it.
      else expect(outcomes, label).toEqual([])
    }
    expect(controlState(r)).toEqual(before)
    // The audit table is still there and intact, every skill still answers, nothing is pending.
    expect(r.app.services.audit.verify()).toMatchObject({ ok: true })
    expect((await r.say('ping', PATIENCE)).text).toBe('pong')
    expect((await r.say('help', PATIENCE)).title).toBe('What I can do')
    // Arguments are data in the audit trail too: what the action refused is recorded with its arguments, as data.
    const refused = [...r.app.services.audit.entries()].filter(
      (e) => e.outcome === 'rejected' && e.args.conversationId === undefined,
    )
    expect(refused.length).toBe(CASES.filter(([, e]) => e === NO_SKILL || e === NO_ROUTE).length)
    expect(refused.find((e) => e.action === 'disable-skill' && e.args.skill === 'ping;')?.args).toEqual({
      skill: 'ping;',
      reason: 'rm -rf /',
    })
    // Newlines and control characters did not forge log lines: every line is one JSON record of this router.
    for (const line of r.logs.lines) expect(() => JSON.parse(line), line.slice(0, 120)).not.toThrow()
    expect(r.logs.records().every((l) => l.service === 'dingtalk-router')).toBe(true)
  })
})
