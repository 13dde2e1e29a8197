import * as z from 'zod/mini';
import { type Config, roleOf } from '../config.ts';
import { safeEqual, sha256 } from '../hashing.ts';
import type { IdentityProvider, Role, SsoFailure } from '../ports.ts';
import { audit, type NewSession, type SignInDeps, startSession } from './sign-in.ts';

/**
 * Single sign-on with the municipality's OpenID Connect provider.
 *
 * begin: a fresh state, nonce and PKCE verifier are kept server-side under the
 * hash of a random id that only this browser holds (a cookie); the browser is
 * sent to the provider.
 * complete: the flow is used up at once (a replayed callback finds nothing),
 * the state in the URL must equal the stored one, then the adapter exchanges
 * the code and verifies the ID token. The role comes from the group claim or
 * the address lists; an unknown address gets nothing. Every refusal is in the
 * audit trail with a reason code, never with the code or a token.
 */

export type SsoDeps = SignInDeps & { sso: IdentityProvider };

const FLOW_MINUTES = 10;
const Email = z.pipe(z.string().check(z.trim(), z.toLowerCase(), z.maxLength(254)), z.email());

export async function beginSso(
  deps: SsoDeps,
  returnTo: string | undefined,
): Promise<{ flowId: string; url: string }> {
  const start = await deps.sso.start();
  const flowId = deps.ids.token(32);
  const expiresAt = new Date(deps.clock.now().getTime() + FLOW_MINUTES * 60_000).toISOString();
  await deps.auth.putSsoFlow({
    idHash: sha256(flowId),
    state: start.state,
    nonce: start.nonce,
    codeVerifier: start.codeVerifier,
    expiresAt,
    ...(returnTo ? { returnTo } : {}),
  });
  return { flowId, url: start.url };
}

export type SsoRefusal = SsoFailure | 'flow' | 'email' | 'no-role';

export type SsoOutcome =
  | { ok: true; started: NewSession; returnTo?: string | undefined }
  | { ok: false; reason: SsoRefusal };

export async function completeSso(
  deps: SsoDeps,
  input: { flowId: string | undefined; callbackUrl: URL },
): Promise<SsoOutcome> {
  const refuse = async (reason: SsoRefusal, actor?: string): Promise<SsoOutcome> => {
    await audit(deps, {
      type: 'sign-in-failed',
      method: 'sso',
      reason,
      ...(actor ? { actor } : {}),
    });
    return { ok: false, reason };
  };

  const flow = input.flowId ? await deps.auth.consumeSsoFlow(sha256(input.flowId)) : undefined;
  if (!flow || Date.parse(flow.expiresAt) <= deps.clock.now().getTime()) return refuse('flow');
  const state = input.callbackUrl.searchParams.get('state') ?? '';
  if (!safeEqual(state, flow.state)) return refuse('state');

  const result = await deps.sso.finish(input.callbackUrl, flow);
  if (!result.ok) return refuse(result.reason);

  const claim = deps.config.sso?.emailClaim ?? 'email';
  const email = Email.safeParse(result.claims[claim]);
  if (!email.success) return refuse('email');
  const role = ssoRole(deps.config, email.data, result.claims);
  if (!role) return refuse('no-role', email.data);

  const started = await startSession(deps, {
    email: email.data,
    role,
    method: 'sso',
    // The provider does the strong authentication for SSO (configure MFA there).
    pendingFactor: false,
  });
  await audit(deps, { type: 'sign-in', actor: email.data, role, method: 'sso' });
  return { ok: true, started, returnTo: flow.returnTo };
}

/** A group claim names officers, admins or analysts; otherwise the address lists decide. */
export function ssoRole(
  config: Config,
  email: string,
  claims: Record<string, unknown>,
): Role | undefined {
  const groups = config.sso?.groups;
  if (groups) {
    const raw = claims[groups.claim];
    const list = Array.isArray(raw)
      ? raw.filter((g): g is string => typeof g === 'string')
      : typeof raw === 'string'
        ? [raw]
        : [];
    if (groups.officer && list.includes(groups.officer)) return 'officer';
    if (groups.admin && list.includes(groups.admin)) return 'admin';
    if (groups.analyst && list.includes(groups.analyst)) return 'analyst';
  }
  return roleOf(config, email);
}
