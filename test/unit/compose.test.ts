import { describe, expect, it } from 'vitest'
import { compose, type Middleware } from '../../src/compose.js'

type Ctx = { trail: string[] }

describe('compose', () => {
  it('runs middlewares in order, around the rest of the chain', async () => {
    const step =
      (name: string): Middleware<Ctx> =>
      async (ctx, next) => {
        ctx.trail.push(`${name}:before`)
        await next()
        ctx.trail.push(`${name}:after`)
      }
    const ctx: Ctx = { trail: [] }
    await compose([step('a'), step('b'), step('c')])(ctx)
    expect(ctx.trail).toEqual(['a:before', 'b:before', 'c:before', 'c:after', 'b:after', 'a:after'])
  })

  it('rejects a second next() from the same step and does not run the tail twice', async () => {
    let tailRuns = 0
    const twice: Middleware<Ctx> = async (_ctx, next) => {
      await next()
      await next()
    }
    const tail: Middleware<Ctx> = async () => {
      tailRuns++
    }
    await expect(compose([twice, tail])({ trail: [] })).rejects.toThrow(/next\(\) called more than once/)
    expect(tailRuns).toBe(1)
  })

  it('stops the chain when a step does not call next()', async () => {
    const ctx: Ctx = { trail: [] }
    await compose<Ctx>([
      async (c) => {
        c.trail.push('gate')
      },
      async (c) => {
        c.trail.push('never')
      },
    ])(ctx)
    expect(ctx.trail).toEqual(['gate'])
  })

  it('propagates an error thrown below to the steps above', async () => {
    const seen: unknown[] = []
    const catcher: Middleware<Ctx> = async (_ctx, next) => {
      try {
        await next()
      } catch (err) {
        seen.push(err)
      }
    }
    const thrower: Middleware<Ctx> = async () => {
      throw new Error('boom')
    }
    await compose([catcher, thrower])({ trail: [] })
    expect((seen[0] as Error).message).toBe('boom')
  })

  it('an empty chain resolves; a non-function is refused when composing', async () => {
    await expect(compose<Ctx>([])({ trail: [] })).resolves.toBeUndefined()
    expect(() => compose([42 as unknown as Middleware<Ctx>])).toThrow(TypeError)
  })

  it('each run of the composed function has its own next() bookkeeping', async () => {
    let runs = 0
    const fn = compose<Ctx>([
      async (_c, next) => next(),
      async () => {
        runs++
      },
    ])
    await fn({ trail: [] })
    await fn({ trail: [] })
    expect(runs).toBe(2)
  })
})
