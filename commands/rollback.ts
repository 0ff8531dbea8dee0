import { z } from 'zod'
import { planConfigRollback, previewConfigRollback } from '../src/admin/rollback-config.js'
import { previewReleaseRollback } from '../src/admin/rollback-release.js'
import { rollbackConfigAction } from '../src/admin/actions/rollback-config.js'
import { rollbackReleaseAction } from '../src/admin/actions/rollback-release.js'
import type { CommandContext } from '../src/context.js'
import { actionCall, defineCommand } from '../src/define.js'
import { errorMessage } from '../src/errors.js'
import { DIGEST_PATTERN } from '../src/store/releases.js'

// /rollback: restores a runtime config version or rolls the release back (dry run, then a second operator).

const args = z
  .strictObject({
    target: z.enum(['config', 'release']).optional(),
    ref: z.string().optional(),
  })
  .refine((a) => a.ref === undefined || a.target !== undefined, {
    message: 'say config or release first',
    path: ['ref'],
  })
  .refine((a) => a.target !== 'config' || a.ref === undefined || /^\d{1,9}$/.test(a.ref), {
    message: 'a config version is a number, e.g. 12',
    path: ['ref'],
  })
  .refine((a) => a.target !== 'release' || a.ref === undefined || DIGEST_PATTERN.test(a.ref), {
    message: 'not a digest',
    path: ['ref'],
  })

type Args = z.infer<typeof args>

export default defineCommand<Args>({
  name: 'rollback',
  description: 'Restore a runtime config version or roll back the release (dry run first, second operator)',
  usage: '/rollback [config [<version>] | release [<digest>]]',
  positional: ['target', 'ref'],
  args,
  // Bare /rollback only shows the options; anything that changes state needs a second operator.
  approval: (a) => (a.target ? 'second-operator' : 'none'),
  preview: ({ args: a, ctx }) => {
    if (a.target === 'config') return previewConfigRollback(ctx.services, version(a), ctx.texts, 'chat')
    if (a.target === 'release') return previewReleaseRollback(ctx.services, a.ref, ctx.texts)
    return ''
  },
  action: (a) => {
    if (a.target === 'config') return actionCall(rollbackConfigAction, { target: 'config', version: version(a) })
    if (a.target === 'release') return actionCall(rollbackReleaseAction, { target: 'release', digest: a.ref })
    return undefined
  },
  // Bare /rollback: what each form would pick right now.
  handler: ({ ctx }) => options(ctx),
})

function version(a: Args): number | undefined {
  return a.target === 'config' && a.ref !== undefined ? Number(a.ref) : undefined
}

// What each form would pick right now, so the operator knows before asking for an approval.
function options(ctx: CommandContext): string {
  const s = ctx.services
  const t = ctx.texts
  const current = s.state.current().version
  const pick = (f: () => string) => {
    try {
      return f()
    } catch (err) {
      return errorMessage(err)
    }
  }
  return [
    t.rollback.options(s.runtime.digest, current),
    `- /rollback config → ${pick(() => {
      const p = planConfigRollback(s, undefined, t, 'chat')
      return t.rollback.configOption(p.target.version, t.rollback.why(p.why), p.changes.length)
    })}`,
    `- /rollback release → ${pick(() => previewReleaseRollback(s, undefined, t).split('\n')[0]!)}`,
    t.rollback.bothNeedApproval,
  ].join('\n')
}
