import { z } from 'zod'
import { isHttpUrl } from '../egress/destination.js'

/**
 * OpenClaw's closed set of operator scopes (docs/gateway/operator-scopes.md). `operator.admin` is the one
 * that brings owner semantics back; routes that end users reach never send it.
 */
const OPERATOR_SCOPES = [
  'operator.read',
  'operator.write',
  'operator.admin',
  'operator.pairing',
  'operator.approvals',
  'operator.questions',
  'operator.talk',
  'operator.talk.secrets',
] as const

/** What OpenClaw restores for a shared-secret bearer caller, whatever it declares (the owner's set). */
export const FULL_OPERATOR_SCOPES = [
  'operator.admin',
  'operator.approvals',
  'operator.pairing',
  'operator.read',
  'operator.talk.secrets',
  'operator.write',
] as const

const routeName = z
  .string()
  .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, 'a route name is kebab-case, e.g. claw or ops-agent')
const agentId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'an agent id is 1–64 letters, digits or _.-')
const headerName = z
  .string()
  .regex(/^[a-z0-9-]{1,64}$/, 'a lower-case HTTP header name, e.g. x-forwarded-user')
  .refine(
    (h) => !['authorization', 'cookie', 'host', 'content-type'].includes(h) && !h.startsWith('x-openclaw-'),
    'the identity header cannot be authorization, cookie, host, content-type or an x-openclaw-* header',
  )
const trigger = z
  .string()
  .regex(/^[^\s/][^\s]{0,31}$/u, 'a trigger is one word of 1–32 characters, not starting with /')

const partialBudget = z.strictObject({
  maxContextTokens: z.number().int().positive().max(2_000_000).optional(),
  maxDiagnosticBytes: z.number().int().positive().max(1_000_000).optional(),
  maxToolCalls: z.number().int().min(0).max(100).optional(),
})

/** One `openclaw.routes.<name>` entry: which agent, who may reach it, how the router authenticates. */
const routeSchema = z
  .strictObject({
    /** `default` targets `openclaw/default`; any other id targets `openclaw/<agentId>`. */
    agentId: agentId.default('default'),
    /** Gateway base URL without /v1, e.g. http://10.0.0.5:18789. */
    baseUrl: z.string().refine(isHttpUrl, 'expected an http(s) URL'),
    description: z.string().min(1).max(120).optional(),
    /** The words that start a message for this route (`claw 今天的告警`); default: the route's name. */
    triggers: z.array(trigger).min(1).max(8).optional(),
    /** users: any allowed user; operators: ROUTER_OPERATORS anywhere; admin-conversations: operators in ROUTER_ADMIN_CONVERSATIONS only. */
    access: z.enum(['users', 'operators', 'admin-conversations']).default('users'),
    /** Narrows `access: users` to these staffIds. */
    allowUsers: z.array(z.string().regex(/^[A-Za-z0-9_.$@-]{1,64}$/)).optional(),
    risk: z.enum(['read', 'write', 'external']).default('external'),
    auth: z
      .strictObject({
        /** trusted-proxy or none: identity-bearing, scopes honoured. token or password: the shared secret (owner). */
        mode: z.enum(['trusted-proxy', 'none', 'token', 'password']).default('trusted-proxy'),
        /** trusted-proxy: the header the Gateway reads as the user (gateway.auth.trustedProxy.userHeader). */
        userHeader: headerName.default('x-forwarded-user'),
        /** trusted-proxy: sent as x-forwarded-for, the non-loopback client address the Gateway attributes the request to. */
        forwardedFor: z.union([z.ipv4(), z.ipv6()]).optional(),
      })
      .prefault({}),
    /** Sent as x-openclaw-scopes on identity-bearing modes; operator.admin needs ownerAccess. */
    scopes: z.array(z.enum(OPERATOR_SCOPES)).min(1).default(['operator.read', 'operator.write']),
    /** Must say `acknowledged` for any route that runs turns as the Gateway owner (shared secret or operator.admin). */
    ownerAccess: z.literal('acknowledged').optional(),
    /** Send raw staffIds and conversationIds instead of keyed hashes. */
    rawIdentity: z.boolean().default(false),
    /** Per-call cap on the answer (max_completion_tokens). */
    maxCompletionTokens: z.number().int().min(16).max(32_000).default(800),
    timeoutMs: z.number().int().min(100).max(115_000).default(30_000),
    /** Ask for an SSE stream (text deltas); false asks for one JSON answer. */
    stream: z.boolean().default(true),
    budget: partialBudget.optional(),
  })
  .superRefine((r, issue) => {
    const shared = r.auth.mode === 'token' || r.auth.mode === 'password'
    const admin = r.scopes.includes('operator.admin')
    if (!shared && !admin) return
    const why = shared
      ? `auth.mode "${r.auth.mode}" sends the shared gateway secret, which OpenClaw treats as full operator access (chat turns run as the owner)`
      : 'scopes include operator.admin, which keeps owner semantics'
    if (r.access !== 'admin-conversations')
      issue.addIssue({
        code: 'custom',
        path: ['access'],
        message: `${why}; such a route must set access: admin-conversations (operators in admin conversations only), not "${r.access}"`,
      })
    if (r.ownerAccess !== 'acknowledged')
      issue.addIssue({
        code: 'custom',
        path: ['ownerAccess'],
        message: `${why}; set ownerAccess: acknowledged to say so explicitly`,
      })
  })

/** The `openclaw` block of the config: routes to OpenClaw Gateway agents, and the shared secret if any route uses it. */
export const openclawSchema = z
  .strictObject({
    /** Also OPENCLAW_GATEWAY_TOKEN or OPENCLAW_GATEWAY_TOKEN_FILE; only for auth.mode token routes. */
    gatewayToken: z.string().min(8).optional(),
    /** Also OPENCLAW_GATEWAY_PASSWORD or OPENCLAW_GATEWAY_PASSWORD_FILE; only for auth.mode password routes. */
    gatewayPassword: z.string().min(8).optional(),
    routes: z.record(routeName, routeSchema).default({}),
  })
  .superRefine((o, issue) => {
    for (const [name, r] of Object.entries(o.routes)) {
      if (r.auth.mode === 'token' && !o.gatewayToken)
        issue.addIssue({
          code: 'custom',
          path: ['routes', name, 'auth', 'mode'],
          message:
            'auth.mode "token" needs openclaw.gatewayToken (OPENCLAW_GATEWAY_TOKEN or OPENCLAW_GATEWAY_TOKEN_FILE)',
        })
      if (r.auth.mode === 'password' && !o.gatewayPassword)
        issue.addIssue({
          code: 'custom',
          path: ['routes', name, 'auth', 'mode'],
          message:
            'auth.mode "password" needs openclaw.gatewayPassword (OPENCLAW_GATEWAY_PASSWORD or OPENCLAW_GATEWAY_PASSWORD_FILE)',
        })
    }
  })
  .prefault({})

export type OpenClawSettings = z.infer<typeof openclawSchema>
export type OpenClawRoute = OpenClawSettings['routes'][string]
