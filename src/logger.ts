import { pino, type Logger, type DestinationStream } from 'pino'

// The process's one logger (pino), with secrets redacted from every line.

export type { Logger } from 'pino'

/** Field names whose values are never written, wherever they appear in a log object. */
const REDACT_PATHS = [
  'clientSecret',
  '*.clientSecret',
  'appSecret',
  '*.appSecret',
  'accessToken',
  '*.accessToken',
  'apiKey',
  '*.apiKey',
  'auditKey',
  '*.auditKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers["x-acs-dingtalk-access-token"]',
  '*.headers["x-acs-dingtalk-access-token"]',
  'ticket',
  '*.ticket',
  'sessionWebhook',
  '*.sessionWebhook',
]

/** URL parameters that are credentials: the sessionWebhook `session`, the stream `ticket`, token params. */
const CREDENTIAL_PARAM = /([?&](?:session|ticket|access_token|accessToken|appsecret)=)[^&"\s\\]+/gi

export interface LoggerHandle {
  logger: Logger
  /** Adds a value that must never appear in any log line from now on (for tokens learned at run time). */
  addSecret(value: string | undefined): void
}

/**
 * The one pino logger of a process. Besides path redaction, every finished line is scrubbed of known secret
 * values and credential URL parameters, so a secret that slips into a message string is still not written.
 * @example const { logger } = createLogger({ level: 'info', secrets: [config.dingtalk.clientSecret] })
 */
export function createLogger(opts: {
  level: string
  secrets?: (string | undefined)[]
  destination?: DestinationStream
}): LoggerHandle {
  const secrets = new Set<string>()
  const addSecret = (value: string | undefined) => {
    // Very short values would scrub ordinary words; real secrets are long.
    if (value && value.length >= 6) secrets.add(value)
  }
  opts.secrets?.forEach(addSecret)
  const scrub = (line: string): string => {
    let out = line.replace(CREDENTIAL_PARAM, '$1[redacted]')
    for (const s of secrets) if (out.includes(s)) out = out.split(s).join('[redacted]')
    return out
  }
  const logger = pino(
    {
      level: opts.level,
      base: { service: 'dingtalk-router' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      hooks: { streamWrite: scrub },
    },
    opts.destination ?? pino.destination({ dest: 1, sync: false }),
  )
  return { logger, addSecret }
}

/** Removes credential parameters from a URL so it can be logged or shown. */
export function redactUrl(url: string): string {
  return url.replace(CREDENTIAL_PARAM, '$1[redacted]')
}

/**
 * The DingTalk SDK prints to the console ("connect success", raw socket errors). Logs are JSON lines on
 * stdout, so those prints are turned into log records instead of stray text.
 */
export function routeConsoleToLogger(logger: Logger): void {
  const sdk = logger.child({ source: 'console' })
  const format = (args: unknown[]) =>
    args
      .map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : JSON.stringify(a)))
      .join(' ')
      .slice(0, 500)
  console.log = (...args: unknown[]) => sdk.debug(format(args))
  console.info = (...args: unknown[]) => sdk.debug(format(args))
  console.debug = (...args: unknown[]) => sdk.trace(format(args))
  console.warn = (...args: unknown[]) => sdk.warn(format(args))
  console.error = (...args: unknown[]) => sdk.error(format(args))
}
