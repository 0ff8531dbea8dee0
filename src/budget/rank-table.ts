// js-tiktoken looks a byte sequence's rank up with `rankMap.get(bytes.join(','))`, so its table is a Map of
// 100,000 strings like "104,101,108": about 10 MB of live heap and 18 MB of RSS for cl100k, measured, which
// the router carries for its whole life and which every full GC marks again. This table answers the same
// `get` from typed arrays outside the heap (about 2.5 MB): the token bytes end to end, where each starts,
// its rank, and an open-addressing hash of the bytes. Only `get` is offered: counting never decodes.

const EMPTY = 0
const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193

/** Byte sequence → rank, filled once with {@link add}, then read by js-tiktoken's encoder through {@link get}. */
export class RankTable {
  private readonly bytes: Buffer
  private used = 0
  private readonly starts: Uint32Array
  private readonly ranks: Int32Array
  /** Entry number + 1 per slot (0 = empty); a power of two at least twice the entries, so probes stay short. */
  private readonly slots: Int32Array
  private entries = 0
  private longest = 0
  /** A looked-up key's bytes, reused: `get` runs for every pair the merge step tries. */
  private scratch = new Uint8Array(64)

  /**
   * @param maxEntries how many tokens {@link add} may be called for
   * @param maxBytes the tokens' bytes in all (an upper bound is enough: ¾ of their base64 length)
   */
  constructor(maxEntries: number, maxBytes: number) {
    this.bytes = Buffer.alloc(maxBytes)
    this.starts = new Uint32Array(maxEntries + 1)
    this.ranks = new Int32Array(maxEntries)
    this.slots = new Int32Array(2 ** Math.ceil(Math.log2(Math.max(2, maxEntries * 2))))
  }

  get size(): number {
    return this.entries
  }

  /** Adds the token whose bytes are `base64` (one token of a tiktoken rank file) with its rank. */
  add(base64: string, rank: number): void {
    if (this.entries >= this.ranks.length) throw new RangeError('rank table is full')
    const start = this.used
    // Base64 holds at most 3 bytes per 4 characters; past the room left, write() would cut the token short.
    if (start + Math.floor((base64.length * 3) / 4) > this.bytes.length)
      throw new RangeError('rank table bytes are full')
    const length = this.bytes.write(base64, start, 'base64')
    this.used += length
    const entry = this.entries++
    this.starts[entry] = start
    this.starts[entry + 1] = this.used
    this.ranks[entry] = rank
    this.longest = Math.max(this.longest, length)
    let slot = this.hashOf(this.bytes, start, this.used) & (this.slots.length - 1)
    while (this.slots[slot] !== EMPTY) slot = (slot + 1) & (this.slots.length - 1)
    this.slots[slot] = entry + 1
  }

  /**
   * The rank of the bytes written as decimal numbers joined by commas (js-tiktoken's key), or undefined when
   * they are no token.
   * @example table.get('104,101') // the rank of "he"
   */
  get(key: string): number | undefined {
    const length = this.readKey(key)
    if (length === 0 || length > this.longest) return undefined
    const mask = this.slots.length - 1
    for (let slot = this.hashOf(this.scratch, 0, length) & mask; ; slot = (slot + 1) & mask) {
      const held = this.slots[slot]!
      if (held === EMPTY) return undefined
      if (this.holds(held - 1, length)) return this.ranks[held - 1]
    }
  }

  /** Decodes "104,101,108" into the scratch bytes; 0 when the key is longer than any token. */
  private readKey(key: string): number {
    let length = 0
    let value = 0
    for (let i = 0; i < key.length; i++) {
      const code = key.charCodeAt(i)
      if (code === 44 /* , */) {
        if (!this.put(length++, value)) return 0
        value = 0
      } else value = value * 10 + (code - 48)
    }
    return key.length > 0 && this.put(length++, value) ? length : 0
  }

  private put(at: number, value: number): boolean {
    if (at >= this.longest) return false
    if (at >= this.scratch.length) {
      const grown = new Uint8Array(this.longest)
      grown.set(this.scratch)
      this.scratch = grown
    }
    this.scratch[at] = value
    return true
  }

  private holds(entry: number, length: number): boolean {
    const start = this.starts[entry]!
    if (this.starts[entry + 1]! - start !== length) return false
    for (let i = 0; i < length; i++) if (this.bytes[start + i] !== this.scratch[i]) return false
    return true
  }

  /** FNV-1a over bytes[from, to). */
  private hashOf(bytes: Uint8Array, from: number, to: number): number {
    let hash = FNV_OFFSET
    for (let i = from; i < to; i++) hash = Math.imul(hash ^ bytes[i]!, FNV_PRIME)
    return hash >>> 0
  }
}
