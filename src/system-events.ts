import { configFingerprint, diffFingerprints } from './config-events.js'
import type { Services } from './context.js'

// Audits the process start, and a `config-change` entry when the configuration changed since the last one.

const FINGERPRINT_KEY = 'config.fingerprint'

/**
 * Audits the start, and a `config-change` entry when the configuration differs from the last start:
 * the keys that changed, with old and new values only for settings that are not secret.
 */
export function recordStartEvents(s: Pick<Services, 'audit' | 'kv' | 'config' | 'now' | 'runtime'>, key: Buffer): void {
  const now = s.now()
  const fingerprint = configFingerprint(s.config, key)
  const previous = s.kv.get<Record<string, string>>(FINGERPRINT_KEY)
  s.audit.transaction(() => {
    s.audit.append({
      actor: 'router',
      channel: 'system',
      action: 'start',
      args: { version: s.runtime.version, digest: s.runtime.digest },
      outcome: 'executed',
    })
    if (previous) {
      const change = diffFingerprints(previous, fingerprint)
      if (change.changed.length > 0) {
        s.audit.append({
          actor: 'router',
          channel: 'system',
          action: 'config-change',
          args: { changed: change.changed, values: change.values },
          outcome: 'executed',
        })
      }
    }
    s.kv.set(FINGERPRINT_KEY, fingerprint, now)
  })
}
