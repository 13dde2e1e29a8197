import * as OTPAuth from 'otpauth';
import * as z from 'zod/mini';
import { sha256 } from '../hashing.ts';
import type { EncryptionContext, SecondFactorStore, Session } from '../ports.ts';
import { openJson, sealJson } from '../sealing.ts';
import { allowRequest, audit, type NewSession, type SignInDeps, startSession } from './sign-in.ts';

/**
 * The officer's second factor in email-link mode: TOTP (RFC 6238) with any
 * authenticator app, plus ten single-use recovery codes.
 *
 * - Enrolment (first sign-in): a random 160-bit secret, sealed with the Crypto
 *   port, shown once as QR code and text; active only after a first good code.
 *   Then ten recovery codes are shown once and stored as hashes.
 * - Each code is checked with a window of one step either side, and a time
 *   step is accepted once: the last accepted step is stored and must grow.
 * - Attempts are rate-limited per officer; the counter is keyed by the last
 *   accepted step, so a good code starts a fresh count and only an attacker's
 *   wrong guesses pile up.
 * - A good code ends the pending session and starts a new one (new id): the
 *   id that was known before the factor never gains access.
 */

export type FactorDeps = SignInDeps & { factors: SecondFactorStore };

const PERIOD = 30;
const DIGITS = 6;
const RECOVERY_CODES = 10;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const SealedSecret = z.object({ secret: z.string().check(z.regex(/^[A-Z2-7]+=*$/)) });
/** A typed code: tidied (spaces, dashes), then it must have the expected shape. */
const typedCode = (tidy: (s: string) => string, shape: RegExp) =>
  z.pipe(z.pipe(z.string(), z.transform(tidy)), z.string().check(z.regex(shape)));
const TotpCode = typedCode((s) => s.replace(/[\s-]/g, ''), /^\d{6}$/);
const RecoveryCode = typedCode(
  (s) => s.replace(/[\s-]/g, '').toUpperCase(),
  /^[0-9A-HJKMNP-TV-Z]{10}$/,
);

export const emailHashOf = (email: string) => sha256(`factor:${email.trim().toLowerCase()}`);

function secretContext(deps: Pick<FactorDeps, 'config'>, emailHash: string): EncryptionContext {
  return {
    municipality: deps.config.municipality.code,
    signalId: `factor-${emailHash}`,
    part: 'totp',
  };
}

function totpFor(deps: Pick<FactorDeps, 'config'>, email: string, secret: string) {
  return new OTPAuth.TOTP({
    // Most authenticator apps show the issuer and label next to the code.
    issuer: `Meldroute ${deps.config.municipality.name}`,
    label: email,
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD,
    secret: OTPAuth.Secret.fromBase32(secret),
  });
}

const recoveryHash = (emailHash: string, code: string) => sha256(`recovery:${emailHash}:${code}`);

function recoveryCode(deps: Pick<FactorDeps, 'ids'>): string {
  const bytes = Buffer.from(deps.ids.token(16), 'base64url');
  let out = '';
  for (let i = 0; i < 10; i++) out += CROCKFORD[(bytes[i] ?? 0) & 31];
  return out;
}

/** How a code is shown to the officer: two groups of five, easy to copy. */
export const formatRecoveryCode = (code: string) => `${code.slice(0, 5)}-${code.slice(5)}`;

export type FactorStatus = 'none' | 'enrolling' | 'active';

export async function factorStatus(deps: FactorDeps, email: string): Promise<FactorStatus> {
  const f = await deps.factors.get(emailHashOf(email));
  return f ? (f.state === 'active' ? 'active' : 'enrolling') : 'none';
}

export type Enrolment = { secret: string; uri: string };

/** Starts (or restarts) enrolment with a fresh secret; undefined when a factor is active. */
export async function startEnrolment(
  deps: FactorDeps,
  session: Session,
): Promise<Enrolment | undefined> {
  const emailHash = emailHashOf(session.email);
  const bytes = Buffer.from(deps.ids.token(20), 'base64url').subarray(0, 20);
  const secret = OTPAuth.Secret.fromHex(bytes.toString('hex')).base32;
  const secretCipher = await sealJson(deps.crypto, { secret }, secretContext(deps, emailHash));
  const ok = await deps.factors.putEnrolment({
    emailHash,
    kind: 'totp',
    state: 'enrolling',
    secretCipher,
    lastStep: 0,
    recoveryHashes: [],
    createdAt: deps.clock.now().toISOString(),
  });
  if (!ok) return undefined;
  return { secret, uri: totpFor(deps, session.email, secret).toString() };
}

/** The pending enrolment again (after a wrong first code), or undefined. */
export async function currentEnrolment(
  deps: FactorDeps,
  session: Session,
): Promise<Enrolment | undefined> {
  const emailHash = emailHashOf(session.email);
  const f = await deps.factors.get(emailHash);
  if (f?.state !== 'enrolling') return undefined;
  const { secret } = await openJson(
    deps.crypto,
    f.secretCipher,
    secretContext(deps, emailHash),
    SealedSecret,
  );
  return { secret, uri: totpFor(deps, session.email, secret).toString() };
}

export type FactorFailure = 'wrong-code' | 'rate-limited' | 'not-enrolled';

export type EnrolmentResult =
  | { ok: true; recoveryCodes: string[]; next: NewSession }
  | { ok: false; reason: FactorFailure };

/** The first code confirms the app works; then the recovery codes are made and shown once. */
export async function confirmEnrolment(
  deps: FactorDeps,
  session: Session,
  rawCode: string,
): Promise<EnrolmentResult> {
  const emailHash = emailHashOf(session.email);
  const f = await deps.factors.get(emailHash);
  if (f?.state !== 'enrolling') return { ok: false, reason: 'not-enrolled' };
  const limited = await rateLimited(deps, session, f.lastStep);
  if (limited) return limited;
  const step = await checkTotp(deps, session, f.secretCipher, f.lastStep, rawCode);
  if (step === undefined) return failed(deps, session, 'wrong-code');
  const codes = Array.from({ length: RECOVERY_CODES }, () => recoveryCode(deps));
  const at = deps.clock.now().toISOString();
  const hashes = codes.map((c) => recoveryHash(emailHash, c));
  if (!(await deps.factors.activate(emailHash, f.secretCipher, step, hashes, at))) {
    // Another tab confirmed (or restarted) the enrolment meanwhile.
    return failed(deps, session, 'wrong-code');
  }
  await audit(deps, {
    type: 'second-factor-enrolled',
    actor: session.email,
    role: session.role,
    method: 'totp',
  });
  const next = await completeFactor(deps, session, 'totp');
  return { ok: true, recoveryCodes: codes.map(formatRecoveryCode), next };
}

export type VerifyResult =
  | { ok: true; next: NewSession; method: 'totp' | 'recovery-code'; recoveryLeft: number }
  | { ok: false; reason: FactorFailure };

/** A code from the app (six digits) or one of the recovery codes. */
export async function verifySecondFactor(
  deps: FactorDeps,
  session: Session,
  rawCode: string,
): Promise<VerifyResult> {
  const emailHash = emailHashOf(session.email);
  const f = await deps.factors.get(emailHash);
  if (f?.state !== 'active') return { ok: false, reason: 'not-enrolled' };
  const limited = await rateLimited(deps, session, f.lastStep);
  if (limited) return limited;

  const recovery = RecoveryCode.safeParse(rawCode);
  if (recovery.success) {
    const used = await deps.factors.useRecoveryCode(
      emailHash,
      recoveryHash(emailHash, recovery.data),
    );
    if (!used) return failed(deps, session, 'wrong-code', 'recovery-code');
    const next = await completeFactor(deps, session, 'recovery-code');
    return {
      ok: true,
      next,
      method: 'recovery-code',
      recoveryLeft: Math.max(0, f.recoveryHashes.length - 1),
    };
  }
  const step = await checkTotp(deps, session, f.secretCipher, f.lastStep, rawCode);
  if (step === undefined || !(await deps.factors.useStep(emailHash, step))) {
    return failed(deps, session, 'wrong-code');
  }
  const next = await completeFactor(deps, session, 'totp');
  return { ok: true, next, method: 'totp', recoveryLeft: f.recoveryHashes.length };
}

/**
 * The CLI's `reset-2fa`: removes the officer's factor, so the next sign-in
 * enrols again. Audited with who ran it.
 */
export async function resetSecondFactor(
  deps: Pick<FactorDeps, 'factors' | 'authAudit' | 'clock'>,
  email: string,
  operator: string,
): Promise<boolean> {
  const removed = await deps.factors.delete(emailHashOf(email));
  await audit(deps, {
    type: 'second-factor-reset',
    actor: email.trim().toLowerCase(),
    method: 'cli',
    reason: removed ? `by:${operator}` : `by:${operator};none`,
  });
  return removed;
}

/** The accepted time step, or undefined for a wrong, malformed or already used code. */
async function checkTotp(
  deps: FactorDeps,
  session: Session,
  secretCipher: Uint8Array,
  lastStep: number,
  rawCode: string,
): Promise<number | undefined> {
  const code = TotpCode.safeParse(rawCode);
  if (!code.success) return undefined;
  const emailHash = emailHashOf(session.email);
  const { secret } = await openJson(
    deps.crypto,
    secretCipher,
    secretContext(deps, emailHash),
    SealedSecret,
  );
  const now = deps.clock.now().getTime();
  const delta = totpFor(deps, session.email, secret).validate({
    token: code.data,
    timestamp: now,
    window: 1,
  });
  if (delta === null) return undefined;
  const step = Math.floor(now / 1000 / PERIOD) + delta;
  return step > lastStep ? step : undefined;
}

async function rateLimited(
  deps: FactorDeps,
  session: Session,
  lastStep: number,
): Promise<{ ok: false; reason: 'rate-limited' } | undefined> {
  const max = deps.config.signIn.factorAttemptsPerWindow;
  const key = `factor:${emailHashOf(session.email)}:${lastStep}`;
  if (await allowRequest(deps, key, max)) return undefined;
  await audit(deps, {
    type: 'second-factor-failed',
    actor: session.email,
    role: session.role,
    reason: 'rate-limited',
  });
  return { ok: false, reason: 'rate-limited' };
}

async function failed(
  deps: FactorDeps,
  session: Session,
  reason: 'wrong-code',
  method: 'totp' | 'recovery-code' = 'totp',
): Promise<{ ok: false; reason: 'wrong-code' }> {
  await audit(deps, {
    type: 'second-factor-failed',
    actor: session.email,
    role: session.role,
    method,
    reason,
  });
  return { ok: false, reason };
}

async function completeFactor(
  deps: FactorDeps,
  session: Session,
  method: 'totp' | 'recovery-code',
): Promise<NewSession> {
  await deps.auth.deleteSession(session.idHash);
  const next = await startSession(deps, {
    email: session.email,
    role: session.role,
    method: session.method ?? 'link',
    pendingFactor: false,
  });
  await audit(deps, { type: 'second-factor', actor: session.email, role: session.role, method });
  return next;
}
