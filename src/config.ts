import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { configSchema, type RouterConfig } from './config-schema.js'
import { knowSecrets, secretTextProblems } from './config-secrets.js'
import { openclawProblems, withOpenClawBudgets } from './openclaw/config-checks.js'
import { destinationOf, isLoopbackHost, redactUrl } from './egress/destination.js'

// Loads the configuration: the YAML file, then environment variables and `*_FILE` secrets, then the schema.

export type { RouterConfig } from './config-schema.js'

/** An operator from ROUTER_OPERATORS: the only identities that can command the router. */
export interface Operator {
  staffId: string
  name: string
}

/** Whom the router talks to: DingTalk, or the built-in local simulator (development only). */
export type RouterMode = 'dingtalk' | 'simulator'

/** Every problem found in one configuration, so the operator fixes them all in one go. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

type Kind = 'string' | 'list' | 'int' | 'bool' | 'operators'
/** Environment variables, where they land in the config, and how to read them. */
const ENV_MAP: Record<string, { path: string[]; kind: Kind; secret?: boolean }> = {
  DINGTALK_CLIENT_ID: { path: ['dingtalk', 'clientId'], kind: 'string', secret: true },
  DINGTALK_CLIENT_SECRET: { path: ['dingtalk', 'clientSecret'], kind: 'string', secret: true },
  DINGTALK_ROBOT_CODE: { path: ['dingtalk', 'robotCode'], kind: 'string' },
  DINGTALK_CORP_ID: { path: ['dingtalk', 'corpId'], kind: 'string' },
  DINGTALK_GATEWAY_URL: { path: ['dingtalk', 'gatewayUrl'], kind: 'string' },
  DINGTALK_API_BASE: { path: ['dingtalk', 'apiBase'], kind: 'string' },
  DINGTALK_WEBHOOK_HOSTS: { path: ['dingtalk', 'webhookHosts'], kind: 'list' },
  ROUTER_OPERATORS: { path: ['operators'], kind: 'operators' },
  ROUTER_ADMIN_CONVERSATIONS: { path: ['adminConversations'], kind: 'list' },
  ROUTER_DB: { path: ['db'], kind: 'string' },
  ROUTER_HTTP_HOST: { path: ['http', 'host'], kind: 'string' },
  ROUTER_HTTP_PORT: { path: ['http', 'port'], kind: 'int' },
  ROUTER_HTTP_ALLOW_PUBLIC: { path: ['http', 'allowPublic'], kind: 'bool' },
  ROUTER_AUDIT_KEY: { path: ['auditKey'], kind: 'string', secret: true },
  LOG_LEVEL: { path: ['logLevel'], kind: 'string' },
  ROUTER_LOCALE: { path: ['locale'], kind: 'string' },
  ROUTER_CONCURRENCY: { path: ['limits', 'concurrency'], kind: 'int' },
  MODEL_API_KEY: { path: ['model', 'apiKey'], kind: 'string', secret: true },
  DINGTALK_APPROVAL_CARD_TEMPLATE_ID: { path: ['cards', 'approvalTemplateId'], kind: 'string' },
  DINGTALK_STREAMING_CARD_TEMPLATE_ID: { path: ['cards', 'streamingTemplateId'], kind: 'string' },
  OPENCLAW_GATEWAY_TOKEN: { path: ['openclaw', 'gatewayToken'], kind: 'string', secret: true },
  OPENCLAW_GATEWAY_PASSWORD: { path: ['openclaw', 'gatewayPassword'], kind: 'string', secret: true },
}

/**
 * Reads the YAML file named by ROUTER_CONFIG (or `file`), applies environment overrides and `*_FILE`
 * secrets, and validates the result. Empty strings count as unset, except for secrets: a secret variable
 * or `*_FILE` that is present but empty is a mistake (an unset variable written into a file), never "no
 * secret", so it is refused rather than silently falling back to the simulator or a generated key.
 * @throws ConfigError listing every problem found.
 * @example const config = loadConfig(process.env)
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, file = env.ROUTER_CONFIG || undefined): RouterConfig {
  const problems: string[] = []
  const raw = file ? readYamlFile(file, problems) : {}
  for (const [name, spec] of Object.entries(ENV_MAP)) {
    const value = readEnv(env, name, problems, spec.secret)
    if (value === undefined) continue
    const parsed = convert(name, value, spec.kind, problems)
    if (parsed !== undefined) setPath(raw, spec.path, parsed)
  }
  const secrets = Object.entries(ENV_MAP).flatMap(([env, spec]) => (spec.secret ? [{ env, path: spec.path }] : []))
  // The AppKey comes like a secret (a `_FILE`, never empty) but names the app (it is also the robotCode):
  // scrubbing it would blank an identifier from every log line, audit entry and error reply.
  knowSecrets(
    raw,
    secrets.filter((s) => s.env !== 'DINGTALK_CLIENT_ID'),
  )
  problems.push(...secretTextProblems(raw, secrets))
  const result = configSchema.safeParse(raw)
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(describeIssue(issue.path, issue.message))
  }
  const dingtalk = (raw.dingtalk ?? {}) as Record<string, unknown>
  if (Boolean(dingtalk.clientId) !== Boolean(dingtalk.clientSecret)) {
    problems.push('DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET must be set together (or neither, for simulator mode)')
  }
  if (result.success) problems.push(...crossChecks(result.data), ...productionChecks(result.data, env))
  if (problems.length > 0 || !result.success) throw new ConfigError(problems)
  return withOpenClawBudgets(result.data)
}

/**
 * The simulator is a development convenience that accepts anyone as any operator: under
 * NODE_ENV=production (the image sets it) missing credentials are a configuration error, never a demo.
 */
function productionChecks(c: RouterConfig, env: NodeJS.ProcessEnv): string[] {
  if (env.NODE_ENV !== 'production' || !isSimulatorMode(c)) return []
  return [
    'NODE_ENV=production needs DingTalk credentials: set DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET (or their _FILE variants); the built-in simulator never runs in production',
  ]
}

/** True when no DingTalk credentials are set: the router talks to its built-in simulator. */
export function isSimulatorMode(config: RouterConfig): boolean {
  return !config.dingtalk.clientId && !config.dingtalk.clientSecret
}

function readYamlFile(file: string, problems: string[]): Record<string, unknown> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    problems.push(`ROUTER_CONFIG: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
    return {}
  }
  try {
    const doc: unknown = parseYaml(text)
    if (doc === null || doc === undefined) return {}
    if (typeof doc !== 'object' || Array.isArray(doc)) {
      problems.push(`ROUTER_CONFIG: ${file} must be a YAML mapping of settings`)
      return {}
    }
    return doc as Record<string, unknown>
  } catch (err) {
    problems.push(`ROUTER_CONFIG: ${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}`)
    return {}
  }
}

/**
 * A setting from `NAME` or `NAME_FILE`. A `NAME_FILE` that is missing, empty or whitespace-only is reported,
 * naming the variable and the file. For a secret presence counts, not truthiness: `NAME=` is reported too;
 * other empty variables count as unset.
 */
function readEnv(env: NodeJS.ProcessEnv, name: string, problems: string[], secret = false): string | undefined {
  const fileVar = `${name}_FILE`
  const direct = secret ? env[name] : env[name] || undefined
  const fromFile = secret ? env[fileVar] : env[fileVar] || undefined
  if (direct !== undefined && fromFile !== undefined) {
    problems.push(`${name} and ${fileVar} are both set: keep one`)
    return undefined
  }
  if (direct !== undefined) {
    if (direct.trim() === '') problems.push(`${name} is set but empty: put the secret in it, or unset it`)
    return direct.trim() || undefined
  }
  if (fromFile === undefined) return undefined
  if (fromFile.trim() === '') {
    problems.push(`${fileVar} is set but names no file: point it at the file holding ${name}, or unset it`)
    return undefined
  }
  let text: string
  try {
    text = readFileSync(fromFile, 'utf8')
  } catch (err) {
    problems.push(`${fileVar}: cannot read ${fromFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
    return undefined
  }
  if (text.trim() === '') {
    problems.push(
      `${fileVar}: ${fromFile} is empty: write the secret into it (was the variable unset when it was made?)`,
    )
    return undefined
  }
  return text.trim()
}

function convert(name: string, value: string, kind: Kind, problems: string[]): unknown {
  const list = () =>
    value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
  switch (kind) {
    case 'string':
      return value
    case 'list':
      return list()
    case 'int': {
      if (!/^\d+$/.test(value.trim())) {
        problems.push(`${name}: expected a whole number, got "${value.slice(0, 40)}"`)
        return undefined
      }
      return Number(value)
    }
    case 'bool': {
      const v = value.trim().toLowerCase()
      if (['1', 'true', 'yes', 'on'].includes(v)) return true
      if (['0', 'false', 'no', 'off'].includes(v)) return false
      problems.push(`${name}: expected 1 or 0, got "${value.slice(0, 40)}"`)
      return undefined
    }
    case 'operators':
      return list()
        .map((entry, i) => {
          const at = entry.indexOf(':')
          if (at <= 0 || at === entry.length - 1) {
            problems.push(`${name}: entry ${i + 1} "${entry.slice(0, 40)}" must be staffId:name`)
            return undefined
          }
          return { staffId: entry.slice(0, at).trim(), name: entry.slice(at + 1).trim() }
        })
        .filter((o) => o !== undefined)
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target
  for (const key of path.slice(0, -1)) {
    const next = node[key]
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {}
    node = node[key] as Record<string, unknown>
  }
  node[path[path.length - 1]!] = value
}

function describeIssue(path: readonly PropertyKey[], message: string): string {
  const key = path.map(String).join('.') || '(top level)'
  const envName = Object.entries(ENV_MAP).find(
    ([, spec]) => spec.path.join('.') === path.slice(0, spec.path.length).join('.'),
  )?.[0]
  return envName ? `${key} (${envName}): ${message}` : `${key}: ${message}`
}

function crossChecks(c: RouterConfig): string[] {
  const problems: string[] = []
  const ids = c.operators.map((o) => o.staffId)
  const dup = ids.find((id, i) => ids.indexOf(id) !== i)
  if (dup) problems.push(`operators (ROUTER_OPERATORS): staffId ${dup} is listed twice`)
  for (const name of ['approve', 'deny']) {
    if (c.approvals.require[name] === true)
      problems.push(`approvals.require.${name}: /${name} decides approvals and cannot itself require one`)
  }
  problems.push(...openclawProblems(c))
  if (c.dingtalk.reconnectBaseMs > c.dingtalk.reconnectMaxMs) {
    problems.push('dingtalk.reconnectBaseMs must not exceed dingtalk.reconnectMaxMs')
  }
  problems.push(...plainHttpProblems(c))
  return problems
}

/**
 * Egress is HTTPS-only except to loopback destinations listed in egress.allowHttpLoopback, so a plain
 * http:// service URL anywhere else could never be called: say so at start, not as "not answering" later.
 */
function plainHttpProblems(c: RouterConfig): string[] {
  const allowed = new Set(c.egress.allowHttpLoopback.map((d) => d.toLowerCase()))
  const urls: [string, string | undefined][] = [
    ['model.baseUrl', c.model.baseUrl],
    ['services.statusApi.baseUrl', c.services.statusApi.baseUrl],
  ]
  const problems: string[] = []
  for (const [key, raw] of urls) {
    if (!raw) continue
    const url = new URL(raw)
    if (url.protocol !== 'http:') continue
    const dest = destinationOf(url)
    const shown = redactUrl(raw)
    if (!isLoopbackHost(url.hostname))
      problems.push(
        `${key}: ${shown} is plain http to a host that is not loopback; the router calls services over HTTPS only, so every call would be refused: use https://`,
      )
    else if (!allowed.has(dest))
      problems.push(
        `${key}: ${shown} is plain http; loopback http is allowed only for destinations listed in egress.allowHttpLoopback (add "${dest}", for development), otherwise use https://`,
      )
  }
  return problems
}
