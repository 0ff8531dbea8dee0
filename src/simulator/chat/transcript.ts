import type { IncomingMessage, ServerResponse } from 'node:http'
import type { RecordedReply } from '../types.js'

// The simulator's transcript: both directions of every conversation, numbered for Server-Sent Events.

/** A message a person sent to the bot, as the chat page shows it (no session webhook: that is a credential). */
export interface TranscriptMessage {
  type: 'message'
  id: number
  at: number
  msgId: string
  conversationId: string
  conversationType: '1' | '2'
  senderStaffId?: string
  senderNick: string
  msgtype: string
  text: string
}

/** Something the bot sent: a session-webhook reply, a group send or a one-to-one send. */
export interface TranscriptReply {
  type: 'reply'
  id: number
  at: number
  kind: RecordedReply['kind']
  msgId?: string
  conversationId?: string
  userIds?: string[]
  msgtype: string
  title?: string
  text: string
}

/** A card the bot delivered, in its whole current state, each time it changes (the page keeps the newest). */
export interface TranscriptCard {
  type: 'card'
  id: number
  at: number
  change: 'created' | 'updated' | 'streaming' | 'callback-answer'
  outTrackId: string
  kind: 'interactive' | 'ai'
  conversationId?: string
  staffId?: string
  params: Record<string, string>
  buttons: { actionId: string; label: string }[]
  finalized: boolean
}

/**
 * One line of the conversation log behind `GET /sim/events`.
 * @example
 * if (entry.type === 'reply' && entry.msgtype === 'markdown') render(entry.text)
 */
export type TranscriptEntry = TranscriptMessage | TranscriptReply | TranscriptCard

type NewMessage = Omit<TranscriptMessage, 'type' | 'id' | 'at'>

/** Enough history for a long demo session; older lines are dropped so a week-long `npm start` stays small. */
const MAX_ENTRIES = 2000
const HEARTBEAT_MS = 20_000

/**
 * Both directions of every conversation, in one order, numbered for Server-Sent Events resumption.
 * @example
 * const t = new Transcript(Date.now); t.reply(recorded); t.since(0) // [{ type: 'reply', id: 1, … }]
 */
export class Transcript {
  private readonly entries: TranscriptEntry[] = []
  private readonly listeners = new Set<(e: TranscriptEntry) => void>()
  private nextId = 1

  constructor(private readonly now: () => number) {}

  /** Record an inbound robot message. */
  message(m: NewMessage): void {
    this.push({ type: 'message', id: this.nextId++, at: this.now(), ...m })
  }

  /** Record something the bot sent; the raw request body stays out (the page needs the text only). */
  reply(r: RecordedReply): void {
    const { kind, msgId, conversationId, userIds, msgtype, title, text, at } = r
    this.push({ type: 'reply', id: this.nextId++, at, kind, msgId, conversationId, userIds, msgtype, title, text })
  }

  /** Record a card's new state. */
  card(c: Omit<TranscriptCard, 'type' | 'id' | 'at'>): void {
    this.push({ type: 'card', id: this.nextId++, at: this.now(), ...c })
  }

  /** Entries with an id above `afterId`, oldest first. */
  since(afterId: number): TranscriptEntry[] {
    return this.entries.filter((e) => e.id > afterId)
  }

  /** Call `fn` for every future entry; returns the unsubscribe function. */
  subscribe(fn: (e: TranscriptEntry) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  private push(e: TranscriptEntry): void {
    this.entries.push(e)
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES)
    for (const l of [...this.listeners]) l(e)
  }
}

/**
 * `GET /sim/events`: the transcript as Server-Sent Events, history first, then live. A reconnecting
 * EventSource sends `Last-Event-ID` and gets only what it missed; `?after=<id>` does the same by hand.
 * @example
 * routes['GET /sim/events'] = (req, res) => streamTranscript(transcript, req, res)
 */
export function streamTranscript(transcript: Transcript, req: IncomingMessage, res: ServerResponse): void {
  const header = req.headers['last-event-id']
  const after = Number(
    (typeof header === 'string' ? header : undefined) ??
      new URL(req.url ?? '/', 'http://sim').searchParams.get('after') ??
      0,
  )
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
  })
  // Write at once: Node holds the headers back until the first byte, and EventSource opens on the headers.
  res.write('retry: 2000\n\n')
  const send = (e: TranscriptEntry): void => {
    res.write(`id: ${e.id}\ndata: ${JSON.stringify(e)}\n\n`)
  }
  // Replay and subscribe in one synchronous step: nothing can be recorded in between.
  for (const e of transcript.since(Number.isFinite(after) ? after : 0)) send(e)
  const unsubscribe = transcript.subscribe(send)
  // Comments keep idle proxies from closing the stream and let both sides notice a dead peer.
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS).unref()
  res.on('close', () => {
    clearInterval(heartbeat)
    unsubscribe()
  })
}
