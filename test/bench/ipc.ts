/**
 * The messages the bench process and a system-under-test child exchange over Node's IPC channel.
 * Kept tiny: the child reports when it is connected and answers memory probes; the parent asks it to stop.
 */

/** process.memoryUsage() of the child, in bytes. */
export interface ChildMemory {
  rss: number
  heapUsed: number
  heapTotal: number
  external: number
  arrayBuffers: number
}

export type ChildMessage =
  | { type: 'ready'; pid: number; httpPort?: number }
  | { type: 'memory'; memory: ChildMemory }
  | { type: 'error'; message: string }

/** `gc: true` runs a full collection first (the child must run with --expose-gc), to read the live heap. */
export type ParentMessage = { type: 'memory'; gc?: boolean } | { type: 'stop' }

/** Narrowing for messages arriving from the parent (anything else is ignored). */
function isParentMessage(m: unknown): m is ParentMessage {
  return (
    typeof m === 'object' &&
    m !== null &&
    ((m as { type?: unknown }).type === 'memory' || (m as { type?: unknown }).type === 'stop')
  )
}

/**
 * Wires the child's side: memory probes are answered, `stop` runs `stop()` then exits (which lets
 * `--cpu-prof` write its profile), and a vanished parent ends the child so no orphan keeps running.
 * @example serveParent(() => app.stop('bench'))
 */
export function serveParent(stop: () => Promise<void>): void {
  const send = (m: ChildMessage) => process.send?.(m)
  let stopping = false
  const exit = (code: number) => {
    if (stopping) return
    stopping = true
    // A hung stop must not keep the child alive: the parent waits for the exit, bounded.
    setTimeout(() => process.exit(code), 5000).unref()
    stop()
      .catch(() => undefined)
      .finally(() => process.exit(code))
  }
  process.on('message', (m: unknown) => {
    if (!isParentMessage(m)) return
    if (m.type === 'memory') {
      const gc = (globalThis as { gc?: () => void }).gc
      if (m.gc && gc) gc()
      const u = process.memoryUsage()
      send({
        type: 'memory',
        memory: {
          rss: u.rss,
          heapUsed: u.heapUsed,
          heapTotal: u.heapTotal,
          external: u.external,
          arrayBuffers: u.arrayBuffers,
        },
      })
    } else {
      exit(0)
    }
  })
  process.on('disconnect', () => exit(0))
}
