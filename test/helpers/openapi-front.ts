/**
 * The simulator's OpenAPI behind a switch: while a refusal is set, group sends are answered with that
 * DingTalk error (a 403 for a robot removed from the group, a 429 for flow control); everything else, and
 * every group send once the switch is off, is forwarded to the simulator, which records what arrives.
 */
import type { DingTalkSimulator } from '../../src/simulator/index.js'
import type { Cleanup } from './cleanup.js'
import { startServer } from './loopback-server.js'

const GROUP_SEND = '/v1.0/robot/groupMessages/send'

/** How DingTalk's OpenAPI answers a call it refuses. */
export interface ApiRefusal {
  status: number
  code: string
  message: string
}

export const ROBOT_NOT_IN_GROUP: ApiRefusal = { status: 403, code: 'Forbidden.AccessDenied', message: '机器人不在群内' }
export const FLOW_CONTROLLED: ApiRefusal = { status: 429, code: 'Throttling', message: '请求被流控' }

export interface OpenApiFront {
  /** Where a client's `apiBase` points. */
  url: string
  /** Group sends to these conversations (all, when omitted) get `refusal` from now on; `undefined` lets them through. */
  refuseGroupSends(refusal: ApiRefusal | undefined, conversationIds?: string[]): void
  /** Group sends that reached the front, refused or not. */
  groupSends(): number
}

/**
 * Starts the front on a loopback port, closed by `cleanup`.
 * @example const front = await startOpenApiFront(cleanup, sim); front.refuseGroupSends(FLOW_CONTROLLED)
 */
export async function startOpenApiFront(cleanup: Cleanup, sim: DingTalkSimulator): Promise<OpenApiFront> {
  let refusal: { answer: ApiRefusal; only?: Set<string> } | undefined
  const server = cleanup.add(
    await startServer((_req, res, hit) => {
      const target = hit.path === GROUP_SEND ? conversationOf(hit.body) : undefined
      if (refusal && target !== undefined && (!refusal.only || refusal.only.has(target))) {
        const { status, code, message } = refusal.answer
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ code, message }))
        return
      }
      const token = hit.headers['x-acs-dingtalk-access-token']
      void fetch(new URL(hit.path, sim.apiBase), {
        method: hit.method,
        headers: {
          'content-type': 'application/json',
          ...(typeof token === 'string' ? { 'x-acs-dingtalk-access-token': token } : {}),
        },
        body: hit.method === 'GET' ? undefined : hit.body,
      })
        .then(async (answer) => {
          const text = await answer.text()
          res.writeHead(answer.status, { 'content-type': 'application/json' }).end(text)
        })
        .catch((err: unknown) => res.writeHead(502).end(String(err)))
    }),
    (s) => s.close(),
  )
  return {
    url: server.url(''),
    refuseGroupSends(answer, conversationIds) {
      refusal = answer ? { answer, only: conversationIds ? new Set(conversationIds) : undefined } : undefined
    },
    groupSends: () => server.hits.filter((h) => h.path === GROUP_SEND).length,
  }
}

function conversationOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { openConversationId?: unknown }
    return typeof parsed.openConversationId === 'string' ? parsed.openConversationId : ''
  } catch {
    return ''
  }
}
