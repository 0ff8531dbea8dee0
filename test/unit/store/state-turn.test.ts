import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { migrate, openDatabase, type DB } from '../../../src/store/db.js'
import { StateStore } from '../../../src/store/state.js'
import { removeDir, tempDir } from '../../helpers/temp-dir.js'

// Each message's context takes the runtime state once per run of callbacks: one lookup for the dozens of
// pipelines a burst starts at once. A change made in this process is seen at once, one made by another
// process (routerctl) from the next tick.

const dirs: string[] = []
const dbs: DB[] = []
afterEach(() => {
  for (const db of dbs.splice(0)) db.close()
  for (const dir of dirs.splice(0)) removeDir(dir)
})

/** The router's store and routerctl's, on two connections to one file. */
function twoProcesses(): { router: StateStore; routerctl: StateStore } {
  const dir = tempDir('router-state-turn-')
  dirs.push(dir)
  const file = join(dir, 'router.db')
  const first = openDatabase(file)
  migrate(first)
  const second = openDatabase(file)
  dbs.push(first, second)
  return { router: new StateStore(first), routerctl: new StateStore(second) }
}

const nextTick = () => new Promise((resolve) => process.nextTick(resolve))
const pingOff = (d: { skills: Record<string, { enabled: boolean }> }) => {
  d.skills.ping = { enabled: false }
}

describe('StateStore.currentThisTurn', () => {
  it("holds one snapshot through a run of callbacks and sees another process's change from the next tick", async () => {
    const { router, routerctl } = twoProcesses()
    const before = router.currentThisTurn()
    routerctl.update('routerctl', 'test', pingOff)
    expect(router.currentThisTurn()).toBe(before)
    expect(router.current().state.skills.ping?.enabled).toBe(false) // current() itself is never held
    await nextTick()
    expect(router.currentThisTurn().state.skills.ping?.enabled).toBe(false)
  })

  it('sees a change this process made at once, in the same run', () => {
    const { router } = twoProcesses()
    expect(router.currentThisTurn().state.skills.ping).toBeUndefined()
    router.update('alice', 'test', pingOff)
    expect(router.currentThisTurn().state.skills.ping?.enabled).toBe(false)
  })

  it('reads again after refresh(), as an admin action does once its audit entry attests a version', () => {
    const { router, routerctl } = twoProcesses()
    const before = router.currentThisTurn()
    routerctl.update('routerctl', 'test', pingOff)
    router.refresh()
    expect(router.currentThisTurn()).not.toBe(before)
    expect(router.currentThisTurn().state.skills.ping?.enabled).toBe(false)
  })
})
