import type { CliCommand } from './command.js'

/**
 * One command's synopsis, built from its declaration so usage can never drift from the parser.
 * @example usageLine(disableSkill) // 'routerctl disable-skill <skill> --reason "<text>"'
 */
export function usageLine(command: CliCommand): string {
  const parts = ['routerctl', command.name, ...command.positionals.map((p) => `<${p}>`)]
  for (const [name, spec] of Object.entries(command.flags)) {
    const flag = spec.kind === 'switch' ? `--${name}` : `--${name} ${spec.placeholder ?? '<value>'}`
    parts.push(spec.required ? flag : `[${flag}]`)
  }
  return parts.join(' ')
}

/**
 * The whole usage text: every command with its summary, and the settings routerctl reads.
 * @example process.stderr.write(usageText(commands))
 */
export function usageText(commands: readonly CliCommand[]): string {
  const lines = commands.map((c) => `  ${usageLine(c).slice('routerctl '.length)}\n      ${c.summary}`)
  return [
    'usage: routerctl <command> [options]',
    '',
    'Break-glass control of the router, working directly on its SQLite file (also when the bot is down).',
    'Every change needs --reason, is audited as break-glass with your OS user, and is announced in the admin chat.',
    '',
    'commands:',
    ...lines,
    '',
    "settings: the bot's own — ROUTER_CONFIG, ROUTER_DB, ROUTER_AUDIT_KEY (or ROUTER_AUDIT_KEY_FILE).",
    'exit codes: 0 done, 1 refused or failed, 2 usage error.',
  ].join('\n')
}
