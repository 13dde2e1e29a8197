import { type Config, emailLinkAllowed, roleOf } from '../config.ts';
import { sha256 } from '../hashing.ts';
import type {
  AuthAudit,
  AuthEvent,
  AuthStore,
  Clock,
  Crypto,
  EmailRenderer,
  IdGenerator,
  Role,
  Session,
  SignInMethod,
} from '../ports.ts';
import { sealMail } from '../sealing.ts';

export type SignInDeps = {
  config: Config;
  auth: AuthStore;
  authAudit: AuthAudit;
  crypto: Crypto;
  clock: Clock;
  ids: IdGenerator;
  render: EmailRenderer;
};

/** Appends to the sign-in audit trail, stamped with the clock. */
export async function audit(
  deps: Pick<SignInDeps, 'authAudit' | 'clock'>,
  event: Omit<AuthEvent, 'at'>,
): Promise<void> {
  await deps.authAudit.append({ at: deps.clock.now().toISOString(), ...event });
}

const WINDOW_MINUTES = 15;

function windowStart(now: Date): string {
  const ms = WINDOW_MINUTES * 60_000;
  return new Date(Math.floor(now.getTime() / ms) * ms).toISOString();
}

/**
 * Counts a request against a fixed window and says whether it is still allowed.
 * Keys are hashed so no address is stored in clear.
 */
export async function allowRequest(
  deps: Pick<SignInDeps, 'auth' | 'clock'>,
  key: string,
  max: number,
): Promise<boolean> {
  const now = deps.clock.now();
  const start = windowStart(now);
  const expires = new Date(Date.parse(start) + 2 * WINDOW_MINUTES * 60_000).toISOString();
  return (await deps.auth.hit(sha256(key), start, expires)) <= max;
}

export type LinkRequestResult = 'sent' | 'ignored' | 'rate_limited';

/**
 * Input: an address typed on /login and a key for the client (its IP).
 * Known addresses get a single-use link (random, 256 bits, stored as a hash,
 * valid `linkMinutes`) by mail; unknown ones get nothing. The caller shows
 * the same page either way, so nobody can probe which addresses exist.
 */
export async function requestSignInLink(
  deps: SignInDeps,
  input: { email: string; clientKey: string },
): Promise<LinkRequestResult> {
  const email = input.email.trim().toLowerCase();
  const max = deps.config.signIn.requestsPerWindow;
  const perAddress = await allowRequest(deps, `login-address:${email}`, max);
  // Generous per client: a whole town hall may share one address behind NAT.
  const perClient = await allowRequest(deps, `login-client:${input.clientKey}`, max * 20);
  if (!perAddress || !perClient) return 'rate_limited';

  const role = roleOf(deps.config, email);
  // Same answer when links are switched off for this role: no account probing.
  if (!role || !emailLinkAllowed(deps.config, role)) return 'ignored';

  const token = deps.ids.token(32);
  const tokenHash = sha256(token);
  const now = deps.clock.now();
  const minutes = deps.config.signIn.linkMinutes;
  const rendered = await deps.render('login-link', {
    municipality: deps.config.municipality.name,
    link: `${deps.config.baseUrl}/aanmelden/${token}`,
    minutes,
  });
  const mail = await sealMail(deps.crypto, deps.config.municipality.code, tokenHash, {
    id: `login-${tokenHash.slice(0, 16)}`,
    to: [email],
    ...rendered,
    headers: { 'Auto-Submitted': 'auto-generated' },
  });
  await deps.auth.putLoginToken(
    { tokenHash, email, role, expiresAt: new Date(now.getTime() + minutes * 60_000).toISOString() },
    mail,
  );
  return 'sent';
}

/** GET of a link: may the confirm page be shown? Never uses the token up. */
export async function checkSignInLink(deps: SignInDeps, token: string): Promise<boolean> {
  const t = await deps.auth.peekLoginToken(sha256(token));
  return !!t && Date.parse(t.expiresAt) > deps.clock.now().getTime();
}

export type NewSession = { sessionId: string; session: Session };

/** A fresh session (new random id, new CSRF secret); the id is returned once, stored as a hash. */
export async function startSession(
  deps: Pick<SignInDeps, 'auth' | 'clock' | 'ids'>,
  input: { email: string; role: Role; method: SignInMethod; pendingFactor: boolean },
): Promise<NewSession> {
  const sessionId = deps.ids.token(32);
  const at = deps.clock.now().toISOString();
  const session: Session = {
    idHash: sha256(sessionId),
    email: input.email,
    role: input.role,
    csrfSecret: deps.ids.token(32),
    createdAt: at,
    lastSeenAt: at,
    method: input.method,
    ...(input.pendingFactor ? { pendingFactor: true } : {}),
  };
  await deps.auth.putSession(session);
  return { sessionId, session };
}

/**
 * POST of the confirm page: uses the token up once and starts a fresh session.
 * An officer's session stays "pending second factor" until a code is given
 * (BIO: more than access to a mailbox for data about suspected crime).
 */
export async function confirmSignIn(
  deps: SignInDeps,
  token: string,
): Promise<NewSession | undefined> {
  const t = await deps.auth.consumeLoginToken(sha256(token));
  const now = deps.clock.now();
  if (!t || Date.parse(t.expiresAt) <= now.getTime()) {
    await audit(deps, { type: 'sign-in-failed', method: 'link', reason: 'link-invalid' });
    return undefined;
  }
  // Roles are read again from config: an address removed since the link was sent gets nothing.
  const role: Role | undefined = roleOf(deps.config, t.email);
  if (!role || !emailLinkAllowed(deps.config, role)) {
    await audit(deps, {
      type: 'sign-in-failed',
      actor: t.email,
      method: 'link',
      reason: role ? 'link-disabled' : 'no-role',
    });
    return undefined;
  }
  const pendingFactor = role === 'officer';
  const started = await startSession(deps, {
    email: t.email,
    role,
    method: 'link',
    pendingFactor,
  });
  await audit(deps, {
    type: 'sign-in',
    actor: t.email,
    role,
    method: 'link',
    ...(pendingFactor ? { reason: 'second-factor-pending' } : {}),
  });
  return started;
}

/**
 * Looks up a session cookie: ended by sign-out (deleted), idle timeout or
 * absolute timeout. Touches it so the idle clock restarts.
 */
export async function resumeSession(
  deps: Pick<SignInDeps, 'auth' | 'clock' | 'config'>,
  sessionId: string,
): Promise<Session | undefined> {
  const idHash = sha256(sessionId);
  const s = await deps.auth.getSession(idHash);
  if (!s) return undefined;
  const now = deps.clock.now().getTime();
  const idle = deps.config.signIn.idleMinutes * 60_000;
  const absolute = deps.config.signIn.absoluteHours * 3_600_000;
  if (now - Date.parse(s.lastSeenAt) > idle || now - Date.parse(s.createdAt) > absolute) {
    await deps.auth.deleteSession(idHash);
    return undefined;
  }
  // Write at most once a minute: a page full of requests should not cost a write each.
  if (now - Date.parse(s.lastSeenAt) > 60_000) {
    const at = new Date(now).toISOString();
    await deps.auth.touchSession(idHash, at);
    return { ...s, lastSeenAt: at };
  }
  return s;
}

export async function endSession(deps: Pick<SignInDeps, 'auth'>, sessionId: string) {
  await deps.auth.deleteSession(sha256(sessionId));
}

/** Sign-out by the person: ends the session and records it. */
export async function signOut(
  deps: Pick<SignInDeps, 'auth' | 'authAudit' | 'clock'>,
  sessionId: string,
  session: Session | undefined,
) {
  await endSession(deps, sessionId);
  if (session) await audit(deps, { type: 'sign-out', actor: session.email, role: session.role });
}
