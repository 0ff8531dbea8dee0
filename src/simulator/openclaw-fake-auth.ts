import { sameSecret } from '../constant-time.js'
import type { IncomingHttpHeaders } from 'node:http'
import { FULL_OPERATOR_SCOPES } from '../openclaw/settings.js'

/** How the fake Gateway authenticates, as `gateway.auth` would be configured. */
export interface FakeGatewayAuth {
  mode: 'token' | 'password' | 'trusted-proxy' | 'none'
  /** gateway.auth.token (token mode). */
  token?: string
  /** gateway.auth.password (password mode, and the direct-caller fallback in trusted-proxy mode). */
  password?: string
  /** gateway.auth.trustedProxy.userHeader; default x-forwarded-user. */
  userHeader?: string
}

/** Who the caller is after auth, and with which scopes. */
export type CallerAuth =
  | { ok: true; path: 'shared-secret' | 'identity'; identity?: string; scopes: string[]; owner: boolean }
  | { ok: false; status: 401; message: string }

/**
 * The auth matrix of docs/gateway/openai-http-api.md: a shared-secret bearer proves possession of the
 * gateway secret, ignores x-openclaw-scopes and gets the full operator set with owner semantics; an
 * identity-bearing caller (trusted-proxy, or none on private ingress) has x-openclaw-scopes honoured (absent:
 * the default set; present but empty: none) and loses owner semantics only when it omits operator.admin.
 * @example resolveCaller({ mode: 'none' }, { 'x-openclaw-scopes': 'operator.write' }) // { ok: true, owner: false, … }
 */
export function resolveCaller(auth: FakeGatewayAuth, headers: IncomingHttpHeaders): CallerAuth {
  const bearer = /^Bearer (.+)$/i.exec(String(headers.authorization ?? ''))?.[1]
  const shared = { ok: true as const, path: 'shared-secret' as const, scopes: [...FULL_OPERATOR_SCOPES], owner: true }
  if (auth.mode === 'token' || auth.mode === 'password') {
    const secret = auth.mode === 'token' ? auth.token : auth.password
    if (bearer !== undefined && secret !== undefined && sameSecret(bearer, secret)) return shared
    return { ok: false, status: 401, message: 'unauthorized' }
  }
  // Same-host callers that bypass the proxy may use the password directly, with full operator access.
  if (auth.mode === 'trusted-proxy' && bearer !== undefined && auth.password && sameSecret(bearer, auth.password))
    return shared
  let identity: string | undefined
  if (auth.mode === 'trusted-proxy') {
    identity = String(headers[auth.userHeader ?? 'x-forwarded-user'] ?? '').trim()
    if (!identity) return { ok: false, status: 401, message: 'trusted_proxy_user_missing' }
  }
  const declared = headers['x-openclaw-scopes']
  const scopes =
    declared === undefined
      ? [...FULL_OPERATOR_SCOPES]
      : String(declared)
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
  return { ok: true, path: 'identity', identity, scopes, owner: scopes.includes('operator.admin') }
}

/** operator.admin satisfies every scope; operator.write also satisfies operator.read. */
export function hasScope(scopes: readonly string[], needed: string): boolean {
  if (scopes.includes('operator.admin') || scopes.includes(needed)) return true
  return needed === 'operator.read' && scopes.includes('operator.write')
}
