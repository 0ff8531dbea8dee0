import type { TranscriptEntry } from '../transcript.js'

/**
 * An approval request the bot announced and nobody has decided yet, as far as the chat shows.
 * @example
 * const [first] = pendingApprovals(entries, Date.now()); send(`/approve ${first.id}`)
 */
export interface PendingApproval {
  id: string
  /** Where the request was made: the `/approve` belongs there. */
  conversationId?: string
  at: number
  /** The requested command as shown, e.g. `/enable-skill skill=ping`. */
  command?: string
  requester?: string
  expiresAt?: number
}

/**
 * Open approval requests derived from the transcript, oldest first, as of `now` (ms).
 * @example pendingApprovals(entries, Date.now()).map((r) => r.id)
 */
export function pendingApprovals(entries: readonly TranscriptEntry[], now: number): PendingApproval[]
