import { z } from 'zod'
import { defineCommand, type CommandDefinition } from '../src/define.js'
import type { CommandContext } from '../src/context.js'
import { approvalRule } from '../src/router/approval.js'
import { markdownReply } from '../src/admin/markdown.js'

export default defineCommand({
  name: 'help',
  description: 'The admin commands you may run, and which need a second operator',
  usage: '/help',
  args: z.strictObject({}),
  approval: 'none',
  handler: ({ ctx }) => {
    // Every operator may run every command today; a per-command allowlist would filter here.
    const lines = ctx.services.commands.commands.map((def) => {
      const needs = approvalLabel(def, ctx)
      return `- \`${def.usage}\` — ${def.description}${needs ? ` · **${needs}**` : ''}`
    })
    return markdownReply('Admin commands', [
      '### Admin commands',
      ...lines,
      '',
      'Arguments: `<required>` `[optional]`; `key=value` sets a named one; quote words with spaces.',
    ])
  },
})

/** '' for instant commands; the config's `approvals.require` override wins over the command's own rule. */
function approvalLabel(def: CommandDefinition<unknown>, ctx: CommandContext): string {
  const forced = ctx.services.config.approvals.require[def.name]
  // A rule that depends on the args (raise vs lower) cannot be decided without them.
  if (forced === undefined && typeof def.approval === 'function')
    return def.approvalNote ?? 'second operator to widen, instant to narrow'
  return approvalRule(def, undefined, ctx) === 'second-operator' ? 'needs a second operator' : ''
}
