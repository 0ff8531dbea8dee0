import { pino, type Logger, type DestinationStream } from 'pino'
import { addKnownSecret, scrubSecrets } from './redact.js'

// The process's one logger (pino), with secrets redacted from every line.

export type { Logger } from 'pino'
export { redactUrl } from './redact.js'

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

export interface LoggerHandle {
  logger: Logger
  /**
   * Adds a value that must never appear in any log line, error event or audit entry from now on (for tokens
   * learned at run time): the process's one list of known secrets, in `src/redact.ts`.
   */
  addSecret(value: string | undefined): void
}

/**
 * The one pino logger of a process. Besides path redaction, every finished line is scrubbed of known secret
 * values (as written and JSON-escaped) and credential URL parameters, so a secret that slips into a message
 * string is still not written. `secrets` join the process's known secrets, which error events share.
 * @example const { logger } = createLogger({ level: 'info', secrets: [config.dingtalk.clientSecret] })
 */
export function createLogger(opts: {
  level: string
  secrets?: (string | undefined)[]
  destination?: DestinationStream
}): LoggerHandle {
  opts.secrets?.forEach(addKnownSecret)
  const logger = pino(
    {
      level: opts.level,
      base: { service: 'dingtalk-router' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      hooks: { streamWrite: scrubSecrets },
    },
    opts.destination ?? pino.destination({ dest: 1, sync: false }),
  )
  return { logger, addSecret: addKnownSecret }
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
