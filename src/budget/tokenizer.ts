import { Tiktoken, type TiktokenBPE } from 'js-tiktoken/lite'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { RankTable } from './rank-table.js'

// js-tiktoken's merge step is quadratic in the length of one pre-token, and a pasted hash, a CJK
// sentence or a run of one character is a single pre-token: 20,000 "a" take a minute. Long pre-tokens
// are therefore counted in short slices. That can only add a token at a slice edge, never lose one, and it
// keeps the work linear in the input. Pre-tokens are grouped into segments to keep encode calls few.
const LONG_PIECE_BYTES = 32
const SLICE_BYTES = 16
const SEGMENT_CHARS = 4096
/** Entries of the encode table filled per turn of the event loop (about 2 ms of work). */
const TOKENS_PER_TURN = 2000

interface Encoder {
  tiktoken: Tiktoken
  pieces: RegExp
}

let loading: Promise<Encoder> | undefined

/**
 * The cl100k_base encoder, built on first use. The rank table ships inside js-tiktoken (no download);
 * parsing it takes a noticeable moment, so it is only loaded when a prompt is too large to pass on bytes alone.
 */
function encoder(): Promise<Encoder> {
  loading ??= import('js-tiktoken/ranks/cl100k_base').then(async (mod) => {
    const ranks = mod.default as TiktokenBPE
    return { tiktoken: await encodeOnly(ranks), pieces: new RegExp(ranks.pat_str, 'gu') }
  })
  return loading
}

/**
 * A Tiktoken with only its encode table, and that table compact (see rank-table.ts). js-tiktoken's
 * constructor would also keep one byte array per token for `decode`, which counting never calls, and its
 * encode table is a Map of 100,000 strings: together about 35 MB of live heap the router would carry for
 * its whole life (measured with the bench's memory phase). The table is filled from the rank file the way
 * the constructor fills its own: `rank line → offset, base64 tokens`.
 */
async function encodeOnly(ranks: TiktokenBPE): Promise<Tiktoken> {
  const tiktoken = new Tiktoken({ ...ranks, bpe_ranks: '' })
  const table = ranks.bpe_ranks
  // Upper bounds read off the file itself: a token per space-separated field, ¾ byte per base64 character.
  const rankTable = new RankTable(count(table, ' '), Math.floor((table.length * 3) / 4))
  // Read token by token (the table is one long line per run of ranks): splitting it whole is itself
  // a 20 ms pause, and filling it in one go a long one, while the router is answering.
  for (let lineStart = 0; lineStart < table.length; ) {
    const lineEnd = indexOrEnd(table, '\n', lineStart)
    const afterPrefix = indexOrEnd(table, ' ', lineStart) + 1
    const afterOffset = indexOrEnd(table, ' ', afterPrefix)
    const offset = Number.parseInt(table.slice(afterPrefix, afterOffset), 10)
    for (let at = afterOffset + 1, rank = offset; at < lineEnd; rank++) {
      const end = Math.min(indexOrEnd(table, ' ', at), lineEnd)
      rankTable.add(table.slice(at, end), rank)
      at = end + 1
      if (rankTable.size % TOKENS_PER_TURN === 0) await nextTurn()
    }
    lineStart = lineEnd + 1
  }
  // js-tiktoken only ever calls `rankMap.get(bytes.join(','))` while encoding.
  ;(tiktoken as unknown as { rankMap: Pick<Map<string, number>, 'get'> }).rankMap = rankTable
  return tiktoken
}

function count(text: string, char: string): number {
  let n = 0
  for (let at = text.indexOf(char); at !== -1; at = text.indexOf(char, at + 1)) n++
  return n
}

function indexOrEnd(text: string, char: string, from: number): number {
  const at = text.indexOf(char, from)
  return at === -1 ? text.length : at
}

/**
 * Loads the rank table in the background, so the first prompt too large to pass on bytes alone does not pay
 * for the load. Called once the router is connected; a failure here is retried by the first real use.
 * @example warmTokenizer()
 */
export function warmTokenizer(): void {
  encoder().catch(() => {
    loading = undefined
  })
}

/**
 * Counts the tokens of `text` with the cl100k_base encoding. Text that looks like special tokens
 * (`<|endoftext|>`) is counted as ordinary text, never refused or treated as a control token.
 * @example await countTokens('checkout is slow since 10:40') // 8
 */
export async function countTokens(text: string): Promise<number> {
  if (text.length === 0) return 0
  const { tiktoken, pieces } = await encoder()
  const encode = (s: string) => tiktoken.encode(s, [], []).length
  let total = 0
  let segment = ''
  for (const match of text.matchAll(pieces)) {
    const piece = match[0]
    if (Buffer.byteLength(piece) <= LONG_PIECE_BYTES) {
      segment += piece
      if (segment.length >= SEGMENT_CHARS) [total, segment] = [total + encode(segment), '']
      continue
    }
    if (segment) [total, segment] = [total + encode(segment), '']
    for (const slice of slices(piece)) total += encode(slice)
  }
  return segment ? total + encode(segment) : total
}

/** True when `text` fits in `limit` tokens for sure: every token is at least one byte. No tokenizer needed. */
export function surelyFits(text: string, limit: number): boolean {
  return Buffer.byteLength(text) <= limit
}

/**
 * Whether `text` fits in `limit` tokens, and its count when it does not; text that {@link surelyFits}
 * is answered without running the tokenizer at all.
 * @example await tokensOver('hello', 4000) // undefined (fits)
 */
export async function tokensOver(text: string, limit: number): Promise<number | undefined> {
  if (surelyFits(text, limit)) return undefined
  const tokens = await countTokens(text)
  return tokens > limit ? tokens : undefined
}

function* slices(piece: string): Generator<string> {
  let current = ''
  let bytes = 0
  for (const ch of piece) {
    const size = Buffer.byteLength(ch)
    if (bytes + size > SLICE_BYTES && current) {
      yield current
      current = ''
      bytes = 0
    }
    current += ch
    bytes += size
  }
  if (current) yield current
}
