import { randomBytes, randomUUID } from 'node:crypto'
import type { Logger } from '../logger.js'
import type { CardApi, CardSpace } from './card-api.js'
import type { ReplyContent } from './message-content.js'

// Streams one answer into a DingTalk AI card as the model writes it.

export interface AnswerCardOptions {
  api: CardApi
  templateId: string
  /** The template variable that receives the streamed text. */
  key: string
  space: CardSpace
  /** At most one update per this many ms; text arriving in between goes out with the next one. */
  intervalMs: number
  log: Logger
}

// The AI card's own status variable: 1 processing, 2 typing, 3 finished, 5 failed (DingTalk's AI card).
const FLOW = { processing: '1', finished: '3', failed: '5' } as const

/**
 * One answer streamed into a DingTalk AI card: created on the first piece of text, updated with the whole
 * text so far (never more than one request in flight, the newest text wins), and finalized with the
 * answer. If DingTalk refuses the card, `finish` says so and the caller sends the answer as a message.
 * @example const card = new AnswerCard(opts); card.push('Check'); card.push('Checkout is'); await card.finish(answer)
 */
export class AnswerCard {
  readonly outTrackId = `ans-${randomBytes(9).toString('hex')}`
  private latest = ''
  private sent = ''
  private pump?: Promise<void>
  private state: 'new' | 'live' | 'broken' = 'new'
  /** How many streaming updates went out (the final one included). */
  updates = 0

  constructor(private readonly opts: AnswerCardOptions) {}

  /** True once DingTalk has the card: the answer must then end up in it. */
  get started(): boolean {
    return this.state === 'live'
  }

  /** The whole text so far; cheap and synchronous, never throws. */
  push(textSoFar: string): void {
    if (this.state === 'broken' || !textSoFar) return
    this.latest = textSoFar
    this.pump ??= this.run().finally(() => {
      this.pump = undefined
    })
  }

  /**
   * Puts the final answer into the card and closes it. False when the card never started or DingTalk
   * refused the final update: the caller must then send the answer another way.
   */
  async finish(content: ReplyContent): Promise<boolean> {
    await this.pump
    if (this.state !== 'live') return false
    const text = typeof content === 'string' ? content : content.markdown
    return this.close(text, FLOW.finished)
  }

  /** Closes a started card as failed (the error itself is answered as a message). */
  async fail(): Promise<void> {
    await this.pump
    if (this.state === 'live') await this.close(this.latest || '…', FLOW.failed, true)
  }

  private async run(): Promise<void> {
    try {
      if (this.state === 'new') {
        await this.opts.api.createAndDeliver({
          templateId: this.opts.templateId,
          outTrackId: this.outTrackId,
          params: { [this.opts.key]: '', flowStatus: FLOW.processing },
          space: this.opts.space,
        })
        this.state = 'live'
      }
      while (this.state === 'live' && this.latest !== this.sent) {
        const text = this.latest
        await this.send(text, false)
        this.sent = text
        if (this.opts.intervalMs > 0) await new Promise((r) => setTimeout(r, this.opts.intervalMs))
      }
    } catch (err) {
      // A card we could not create or feed stops here; the answer still goes out in finish()'s fallback.
      if (this.state === 'new') this.state = 'broken'
      this.opts.log.warn({ err: (err as Error).message, outTrackId: this.outTrackId }, 'streaming card update failed')
    }
  }

  private async close(text: string, flowStatus: string, isError = false): Promise<boolean> {
    this.state = 'broken'
    try {
      await this.send(text, true, isError)
    } catch (err) {
      this.opts.log.error({ err: (err as Error).message, outTrackId: this.outTrackId }, 'streaming card not finalized')
      return false
    }
    // The text is in the card; its status badge is cosmetic and must not send the answer twice.
    await this.opts.api
      .update(this.outTrackId, { [this.opts.key]: text, flowStatus })
      .catch((err: unknown) => this.opts.log.warn({ err: (err as Error).message }, 'streaming card status not set'))
    return true
  }

  private async send(content: string, isFinalize: boolean, isError = false): Promise<void> {
    this.updates++
    await this.opts.api.stream({
      outTrackId: this.outTrackId,
      key: this.opts.key,
      content,
      isFull: true,
      isFinalize,
      isError,
      guid: randomUUID(),
    })
  }
}
