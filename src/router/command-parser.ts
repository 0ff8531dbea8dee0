/** A `/name positional key=value "quoted words"` line, split but not yet validated. */
export interface ParsedCommand {
  name: string
  positional: string[]
  named: Record<string, string>
}

const MAX_TOKENS = 64
const NAME = /^[a-z][a-z0-9-]{0,39}$/

export type CommandParse = { ok: true; command: ParsedCommand } | { ok: false; error: string; name?: string }

/**
 * Splits an admin command line. Never throws: anything it cannot read comes back as `ok: false`
 * with a sentence the operator can act on. Quotes group words; `key=value` sets a named field.
 * @example parseCommandLine('/disable-skill ping "too noisy"') // { ok: true, command: { name: 'disable-skill', positional: ['ping', 'too noisy'], named: {} } }
 */
export function parseCommandLine(text: string): CommandParse {
  const body = text.trim()
  if (!body.startsWith('/')) return { ok: false, error: 'a command starts with /' }
  const tokens = tokenize(body.slice(1))
  if (!tokens.ok) return { ok: false, error: tokens.error }
  const [rawName, ...rest] = tokens.tokens
  const name = (rawName?.text ?? '').toLowerCase()
  if (!NAME.test(name)) return { ok: false, error: 'a command name is letters, digits and dashes, e.g. /status' }
  if (rest.length > MAX_TOKENS) return { ok: false, error: `too many words (at most ${MAX_TOKENS})`, name }
  const positional: string[] = []
  const named: Record<string, string> = Object.create(null) as Record<string, string>
  for (const token of rest) {
    const eq = token.quoted ? -1 : token.text.indexOf('=')
    if (eq > 0 && /^[a-z][a-zA-Z0-9_-]{0,31}$/.test(token.text.slice(0, eq))) {
      const key = token.text.slice(0, eq)
      if (key in named) return { ok: false, error: `${key}= is given twice`, name }
      named[key] = token.text.slice(eq + 1)
    } else {
      positional.push(token.text)
    }
  }
  return { ok: true, command: { name, positional, named: { ...named } } }
}

type Token = { text: string; quoted: boolean }

function tokenize(input: string): { ok: true; tokens: Token[] } | { ok: false; error: string } {
  const tokens: Token[] = []
  let i = 0
  while (i < input.length) {
    const ch = input[i]!
    if (/\s/.test(ch)) {
      i++
      continue
    }
    const quote = ch === '"' || ch === '“' ? (ch === '“' ? '”' : '"') : undefined
    if (quote) {
      const end = input.indexOf(quote, i + 1)
      if (end < 0) return { ok: false, error: 'a quote is not closed' }
      tokens.push({ text: input.slice(i + 1, end), quoted: true })
      i = end + 1
      continue
    }
    let j = i
    while (j < input.length && !/\s/.test(input[j]!)) j++
    tokens.push({ text: input.slice(i, j), quoted: false })
    i = j
    if (tokens.length > MAX_TOKENS + 1) break
  }
  return { ok: true, tokens }
}

/** A command's fields before its schema checks them, or why the words cannot be fields. */
export type ArgsInput = { ok: true; input: Record<string, unknown> } | { ok: false; error: string }

/**
 * Maps positional words onto named fields: `['skill', 'reason...']` takes the first word as `skill`
 * and joins the rest into `reason`. Named `key=value` fields are kept; extra words fail validation later.
 * A field given both as a word and as `key=value` is refused: keeping either would drop what the
 * operator also typed without a word.
 * @example toArgsInput(cmd('/approve abc id=def'), ['id']) // { ok: false, error: 'id= is given twice: …' }
 */
export function toArgsInput(cmd: ParsedCommand, names: readonly string[] = []): ArgsInput {
  const out: Record<string, unknown> = { ...cmd.named }
  for (const [i, name] of names.entries()) {
    const takesRest = name.endsWith('...')
    const field = takesRest ? name.slice(0, -3) : name
    const words = takesRest ? cmd.positional.slice(i) : cmd.positional.slice(i, i + 1)
    if (words.length === 0) continue
    if (Object.hasOwn(cmd.named, field))
      return { ok: false, error: `${field}= is given twice: once as a word, once as ${field}=` }
    out[field] = words.join(' ')
  }
  const rest = names.some((n) => n.endsWith('...')) ? 0 : cmd.positional.length - names.length
  if (rest > 0) out._extra = cmd.positional.slice(names.length)
  return { ok: true, input: out }
}
