import { setTimeout as delay } from 'node:timers/promises'
import type { BatchSendReport, OpenApiClient } from './openapi.js'
import type { ReplyContent } from './message-content.js'

/** Waits before sending again to flow-controlled recipients (DingTalk's limits are per minute). */
const FLOW_CONTROL_RETRY_MS = [5_000, 20_000, 60_000]

/** The whole story of a one-to-one send, retries included; `flowControlled` are those never delivered. */
export interface UserSendResult extends BatchSendReport {
  attempts: number
  processQueryKeys: string[]
}

/**
 * Sends one-to-one and does not take a 200 for delivery: recipients DingTalk flow-controlled are sent
 * to again after each delay in `retryMs`; invalid ones are reported, never retried.
 * @example const r = await sendToUsersReliably(openapi, ['042297'], 'hi'); if (r.invalid.length) record(…)
 */
export async function sendToUsersReliably(
  api: OpenApiClient,
  userIds: string[],
  content: ReplyContent,
  retryMs: readonly number[] = FLOW_CONTROL_RETRY_MS,
): Promise<UserSendResult> {
  const result: UserSendResult = { delivered: [], invalid: [], flowControlled: [], attempts: 0, processQueryKeys: [] }
  let pending = userIds
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 0) await delay(retryMs[attempt - 1])
    const report = await api.sendToUsers(pending, content)
    result.attempts++
    if (report.processQueryKey) result.processQueryKeys.push(report.processQueryKey)
    result.processQueryKey ??= report.processQueryKey
    result.delivered.push(...report.delivered)
    result.invalid.push(...report.invalid)
    pending = report.flowControlled
    if (attempt >= retryMs.length) break
  }
  result.flowControlled = pending
  return result
}
