import { z } from 'zod'
import { defineCommand, type CommandDefinition } from '../src/define.js'
import type { CommandContext } from '../src/context.js'
import { approvalRule } from '../src/router/approval.js'
import { markdownReply } from '../src/admin/markdown.js'

// /help: the admin commands an operator may run, and which need a second operator.

export default defineCommand({
  name: 'help',
  description: 'The admin commands you may run, and which need a second operator',
  usage: '/help',
  args: z.strictObject({}),
  approval: 'none',
  handler: ({ ctx }) => {
    // Every operator may run every command today; a per-command allowlist would filter here.
    const t = ctx.texts.admin
    const lines = ctx.services.commands.commands.map((def) => {
      const needs = approvalLabel(def, ctx)
      return `- \`${def.usage}\` — ${t.description(def.name, def.description)}${needs ? ` · **${needs}**` : ''}`
    })
    return markdownReply(t.helpTitle, [`### ${t.helpTitle}`, ...lines, '', t.helpFooter])
  },
})

/** '' for instant commands; the config's `approvals.require` override wins over the command's own rule. */
function approvalLabel(def: CommandDefinition<unknown>, ctx: CommandContext): string {
  const t = ctx.texts.admin
  const forced = ctx.services.config.approvals.require[def.name]
  // A rule that depends on the args (raise vs lower) cannot be decided without them.
  if (forced === undefined && typeof def.approval === 'function')
    return def.approvalNote ? t.approvalNote(def.name, def.approvalNote) : t.widenNarrow
  return approvalRule(def, undefined, ctx) === 'second-operator' ? t.needsSecond : ''
}
