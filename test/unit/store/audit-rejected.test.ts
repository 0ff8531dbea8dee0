import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { auditRejected, staffActor } from '../../../src/store/audit-rejected.js'
import { openStores } from '../../../src/store/open.js'
import { TEST_SECRETS } from '../../helpers/router.js'
import { tempDir } from '../../helpers/temp-dir.js'

let opened: ReturnType<typeof openStores> | undefined
afterEach(() => {
  opened?.db.close()
  opened = undefined
})

describe('the rejected audit entry', () => {
  it('is committed as rejected, its reason among the args, and counts as a refusal by others', () => {
    opened = openStores({ db: join(tempDir(), 'router.db'), auditKey: TEST_SECRETS.auditKey })
    const { audit } = opened.stores
    const entry = auditRejected(audit, {
      actor: staffActor('user9'),
      channel: 'dingtalk',
      action: 'approve',
      reason: 'not-an-operator',
      args: { id: 'a1b2' },
      approvalId: 'a1b2',
    })
    expect(entry).toMatchObject({
      outcome: 'rejected',
      actor: 'staff:user9',
      args: { id: 'a1b2', reason: 'not-an-operator' },
      approvalId: 'a1b2',
    })
    // Without a reason the args stay the caller's own (a command's args may carry a `reason` field).
    const own = auditRejected(audit, {
      actor: 'alice',
      channel: 'dingtalk',
      action: 'incident',
      args: { reason: 'db failover' },
      detail: 'too many pending requests',
    })
    expect(own).toMatchObject({ args: { reason: 'db failover' }, detail: 'too many pending requests' })
    expect(audit.recent(10, { withoutRefusals: true }).map((e) => e.actor)).toEqual(['alice'])
    expect(audit.verify()).toMatchObject({ ok: true, count: 2 })
  })

  it('names a non-operator by staffId, cut to a bounded length', () => {
    expect(staffActor('user9')).toBe('staff:user9')
    expect(staffActor('x'.repeat(200))).toBe(`staff:${'x'.repeat(64)}`)
  })
})
