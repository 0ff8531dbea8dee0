import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'

/**
 * Sampling allocation profile of this process, garbage included (V8's sampling heap profiler with the
 * "objects collected by GC" options), so the profile shows where the allocation *rate* comes from, not
 * just what is still alive. Started by a child when BENCH_ALLOC_PROFILE names the output file; the
 * result is a `.heapprofile` that Chrome DevTools opens, and that alloc-summary.ts prints. With
 * BENCH_ALLOC_SURVIVORS=1 it leaves out what a young-generation collection freed: what remains is what got
 * promoted to the old generation (and what is still alive), the allocations that make full collections.
 * @example const stop = await startAllocationProfile(); …; await stop('/tmp/router.heapprofile')
 */
export async function startAllocationProfile(): Promise<(file: string) => Promise<void>> {
  const session = new Session()
  session.connect()
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 16_384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: process.env.BENCH_ALLOC_SURVIVORS !== '1',
  } as never)
  return async (file) => {
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: unknown }
    writeFileSync(file, JSON.stringify(profile))
    session.disconnect()
  }
}
