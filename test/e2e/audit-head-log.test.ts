import { afterEach, describe, expect, it } from 'vitest'
import { auditHeadJob } from '../../src/jobs/audit-head.js'
import { PATIENCE } from '../helpers/patience.js'
import { type TestRouter, startTestRouter, verifyAndStop } from '../helpers/router.js'

type HeadLine = { auditHead: { seq: number; hash: string; ts: string; signature: string } }

describe('the signed audit head in the log', { timeout: 3 * PATIENCE }, () => {
  let r: TestRouter | undefined
  afterEach(async () => {
    await verifyAndStop(r)
    r = undefined
  }, PATIENCE)

  it('logs a signed head at start and from the job while entries are written, quiet when nothing changed', async () => {
    r = await startTestRouter()
    const { audit } = r.app.services
    const heads = () => r!.logs.records().filter((l) => l.msg === 'audit head') as unknown as HeadLine[]
    expect(heads()).toHaveLength(1)
    await r.command('/disable-skill ping')
    const job = auditHeadJob(r.app.services)
    expect(job.schedule).toBe('*/5 * * * *')
    await job.run(Date.now())
    const line = heads().at(-1)!.auditHead
    expect(line).toMatchObject({ seq: audit.head().seq, hash: audit.head().hash })
    expect(line.signature).toBe(audit.signHead({ seq: line.seq, hash: line.hash }, line.ts))
    // Nothing written since: no new line.
    await job.run(Date.now())
    expect(heads()).toHaveLength(2)
  })
})
