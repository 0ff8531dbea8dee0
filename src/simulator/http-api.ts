import type { IncomingMessage, ServerResponse } from 'node:http'
import { z } from 'zod'
import { streamTranscript, type Transcript } from './chat/transcript.js'
import { readBody, sendJson } from './http-util.js'
import { parseJson } from '../json.js'
import type { ReplyLog } from './replies.js'
import type { RecordedReply, SentMessage, SimMessageInput } from './types.js'

// The simulator's /sim/* control API, used by `npm run say` and the web chat page.

/** A route handler of the simulator's plain node:http router. */
export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void

/** What the simulator remembers about a message it sent, to relate replies to it. */
export interface SentMeta {
  conversationId: string
  conversationType: '1' | '2'
  senderStaffId?: string
  /** The last reply seq at the time it was sent: only later proactive sends count. */
  afterSeq: number
}

/** What the control API needs from the simulator. */
export interface SimApiDeps {
  sendMessage(input: SimMessageInput): SentMessage
  meta(msgId: string): SentMeta | undefined
  log: ReplyLog
  state(): unknown
  transcript: Transcript
  /** A person presses a card button (the chat page's card buttons). */
  pressCardButton(input: { outTrackId: string; staffId: string; actionId: string }): { messageId: string }
}

const cardPress = z.strictObject({
  outTrackId: z.string().min(1).max(128),
  staffId: z.string().min(1).max(64),
  actionId: z.string().min(1).max(64),
})

const SETTLE_MS = 300
const MAX_TIMEOUT_MS = 60_000

const messageInput = z
  .strictObject({
    text: z.string().max(100_000).optional(),
    msgtype: z.string().min(1).optional(),
    content: z.unknown().optional(),
    // "" is what DingTalk sometimes sends for an absent staffId; null omits the field.
    senderStaffId: z.string().max(256).nullable().optional(),
    senderCorpId: z.string().max(256).optional(),
    segments: z
      .array(
        z.union([
          z.strictObject({ text: z.string().max(100_000) }),
          z.strictObject({ picture: z.string().max(1_000_000) }),
        ]),
      )
      .max(100)
      .optional(),
    file: z.string().max(1_000_000).optional(),
    quote: z
      .strictObject({
        text: z.string().max(100_000).optional(),
        msgtype: z.string().min(1).max(64).optional(),
        senderId: z.string().max(256).optional(),
        createdAt: z.number().int().optional(),
        shape: z.enum(['content', 'text']).optional(),
      })
      .optional(),
    senderNick: z.string().optional(),
    senderId: z.string().optional(),
    conversationId: z.string().min(1).optional(),
    conversationType: z.enum(['1', '2']).optional(),
    conversationTitle: z.string().optional(),
    isAdmin: z.boolean().optional(),
    msgId: z.string().min(1).optional(),
    createAt: z.number().int().optional(),
    extra: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((m) => (m.msgtype ?? 'text') !== 'text' || m.text !== undefined, {
    message: 'text is required for msgtype text',
  })

/** Webhook replies to the message, plus proactive sends to its conversation made after it was sent. */
function relatedTo(msgId: string, m: SentMeta): (r: RecordedReply) => boolean {
  return (r) =>
    r.msgId === msgId ||
    (r.seq > m.afterSeq &&
      ((r.kind === 'group' && r.conversationId === m.conversationId) ||
        (r.kind === 'oto' &&
          m.conversationType === '1' &&
          m.senderStaffId !== undefined &&
          (r.userIds ?? []).includes(m.senderStaffId))))
}

/**
 * The `/sim/*` control API used by the `say` CLI and the web chat page.
 * @example
 * const routes = simRoutes({ sendMessage, meta, log, state, transcript })
 */
export function simRoutes(deps: SimApiDeps): Record<string, Handler> {
  return {
    'POST /sim/messages': async (req, res) => {
      const parsed = messageInput.safeParse(parseJson((await readBody(req)).text))
      if (!parsed.success) return sendJson(res, 400, { error: z.prettifyError(parsed.error) })
      const sent = deps.sendMessage(parsed.data)
      sendJson(res, 200, { msgId: sent.msgId, messageId: sent.messageId })
    },
    /** As DingTalk does when someone presses a card button: a CALLBACK on the card topic. */
    'POST /sim/card-callback': async (req, res) => {
      const parsed = cardPress.safeParse(parseJson((await readBody(req)).text))
      if (!parsed.success) return sendJson(res, 400, { error: z.prettifyError(parsed.error) })
      try {
        sendJson(res, 200, deps.pressCardButton(parsed.data))
      } catch (err) {
        sendJson(res, 409, { error: (err as Error).message })
      }
    },
    'GET /sim/replies': (req, res) => longPoll(deps, req, res),
    'GET /sim/state': (_req, res) => sendJson(res, 200, deps.state()),
    /** Every message and reply as Server-Sent Events, for the chat page. */
    'GET /sim/events': (req, res) => streamTranscript(deps.transcript, req, res),
  }
}

/** Wait for the first related reply, then a short quiet period so multi-part answers come back whole. */
function longPoll(deps: SimApiDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sim')
  const msgId = url.searchParams.get('msgId')
  const requested = Number(url.searchParams.get('timeoutMs') ?? 10_000)
  const timeoutMs = Number.isFinite(requested) ? Math.min(Math.max(requested, 0), MAX_TIMEOUT_MS) : 10_000
  if (!msgId) return Promise.resolve(sendJson(res, 400, { error: 'msgId is required' }))
  const meta = deps.meta(msgId)
  if (!meta) return Promise.resolve(sendJson(res, 404, { error: `unknown msgId ${msgId}` }))
  const related = relatedTo(msgId, meta)
  return new Promise((resolve) => {
    let settle: NodeJS.Timeout | undefined
    const cleanup = (): void => {
      clearTimeout(settle)
      clearTimeout(deadline)
      unsubscribe()
      resolve()
    }
    const finish = (): void => {
      cleanup()
      sendJson(res, 200, { replies: deps.log.replies.filter(related) })
    }
    const arm = (): void => {
      clearTimeout(settle)
      settle = setTimeout(finish, SETTLE_MS)
    }
    const unsubscribe = deps.log.subscribe((r) => {
      if (related(r)) arm()
    })
    const deadline = setTimeout(finish, timeoutMs)
    if (deps.log.replies.some(related)) arm()
    res.on('close', cleanup)
  })
}
