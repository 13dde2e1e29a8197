import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as OTPAuth from 'otpauth';
import PostalMime from 'postal-mime';
import type { Clock } from '#core/ports.ts';
import { type LocalOptions, type LocalRuntime, startLocal } from '#local/runtime.ts';
import { memoryLogger } from './fakes.ts';

/** A clock tests can move forward; by default it runs with real time. */
export type MovableClock = Clock & { advance(ms: number): void };

export function realTimeClock(): MovableClock {
  let offset = 0;
  return {
    now: () => new Date(Date.now() + offset),
    advance: (ms) => {
      offset += ms;
    },
  };
}

const clocks = new WeakMap<LocalRuntime, MovableClock>();

/** The real local stack (web app, dynalite in a temp dir, key file, file outbox) on a free port. */
export async function startTestRuntime(options: LocalOptions = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'meldroute-test-'));
  const logger = memoryLogger();
  const clock: Clock = options.clock ?? realTimeClock();
  const runtime = await startLocal({
    port: 0,
    dataDir,
    logger,
    sweepIntervalMs: 3_600_000,
    ...options,
    clock,
  });
  if ('advance' in clock && typeof clock.advance === 'function') {
    clocks.set(runtime, clock as MovableClock);
  }
  // The port is only known after listening; links in emails must point at it.
  return {
    runtime,
    logger,
    dataDir,
    clock,
    async close() {
      await runtime.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export type ParsedMail = {
  file: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  raw: string;
};

export async function outboxMessages(runtime: LocalRuntime): Promise<ParsedMail[]> {
  await runtime.sweepOutbox();
  let files: string[] = [];
  try {
    files = (await readdir(runtime.outboxDir)).filter((f) => f.endsWith('.eml')).sort();
  } catch {
    return [];
  }
  return Promise.all(
    files.map(async (file) => {
      const raw = await readFile(join(runtime.outboxDir, file), 'utf8');
      const m = await PostalMime.parse(raw);
      return {
        file,
        raw,
        to: (m.to ?? []).map((a) => ('address' in a && a.address ? a.address : '')),
        subject: m.subject ?? '',
        text: m.text ?? '',
        html: m.html ?? '',
      };
    }),
  );
}

/** A tiny browser: keeps cookies, sends same-origin headers like a real one would. */
export class Client {
  private cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  async request(
    path: string,
    init: RequestInit & { form?: Record<string, string | string[]> } = {},
  ) {
    const headers = new Headers(init.headers);
    if (this.cookies.size) {
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    }
    let body = init.body;
    if (init.form) {
      const p = new URLSearchParams();
      for (const [k, v] of Object.entries(init.form)) {
        for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
      }
      body = p;
      headers.set('content-type', 'application/x-www-form-urlencoded');
      if (!headers.has('origin')) headers.set('origin', new URL(this.base).origin);
    }
    const res = await fetch(this.base + path, { ...init, body, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [name, ...rest] = (pair ?? '').split('=');
      if (!name) continue;
      const value = rest.join('=');
      if (/max-age=0/i.test(c) || value === '') this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value);
    }
    return res;
  }

  async page(path: string) {
    const res = await this.request(path);
    return { res, html: await res.text() };
  }

  cookie(name: string) {
    return this.cookies.get(name);
  }
}

export function csrfFrom(html: string): string {
  const m =
    html.match(/name="_csrf"[^>]*value="([^"]+)"/) ??
    html.match(/value="([^"]+)"[^>]*name="_csrf"/);
  if (!m?.[1]) throw new Error('no _csrf field on the page');
  return m[1];
}

/** Signs in through the real path: request a link, read it from the outbox, confirm with POST. */
export async function signIn(runtime: LocalRuntime, client: Client, email: string) {
  const { html } = await client.page('/login');
  const before = new Set((await outboxMessages(runtime)).map((m) => m.file));
  const res = await client.request('/login', {
    method: 'POST',
    form: { email, _csrf: csrfFrom(html) },
  });
  if (res.status !== 200) throw new Error(`login request answered ${res.status}`);
  const mail = (await outboxMessages(runtime)).find(
    (m) => !before.has(m.file) && m.to.includes(email),
  );
  const link = mail?.text.match(/https?:\/\/\S+\/aanmelden\/([\w-]+)/);
  if (!link?.[1]) throw new Error(`no sign-in link mailed to ${email}`);
  const confirm = await client.request(`/aanmelden/${link[1]}`);
  if (confirm.status !== 200) throw new Error(`sign-in link answered ${confirm.status}`);
  const done = await client.request('/aanmelden/bevestigen', {
    method: 'POST',
    form: { token: link[1] },
  });
  if (done.status !== 303) throw new Error(`confirm answered ${done.status}`);
  const location = done.headers.get('location');
  if (location === SECOND_FACTOR_PAGE) {
    // Officers: set up the authenticator on first sign-in, else give a code from it.
    return { token: link[1], location: await passSecondFactor(runtime, client, email) };
  }
  return { token: link[1], location };
}

export const SECOND_FACTOR_PAGE = '/tweede-stap';

type Authenticator = { secret: string; lastStep: number; recoveryCodes: string[] };
const authenticators = new WeakMap<LocalRuntime, Map<string, Authenticator>>();

/** The authenticator app the helper set up for an officer in this runtime, if any. */
export function authenticatorOf(runtime: LocalRuntime, email: string): Authenticator | undefined {
  return authenticators.get(runtime)?.get(email);
}

/** A code as an authenticator app shows it at `timestamp` (RFC 6238: SHA-1, 6 digits, 30 s). */
export function totpCode(secret: string, timestamp: number): string {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret) }).generate({ timestamp });
}

/** The secret as the enrolment page shows it (grouped by four), without spaces. */
export function secretFrom(html: string): string {
  const m = html.match(/id="geheime-sleutel">([A-Z2-7 ]+)</);
  if (!m?.[1]) throw new Error('no secret on the enrolment page');
  return m[1].replace(/ /g, '');
}

/**
 * Moves the runtime's clock just inside a fresh rate-limit window (fixed
 * 15-minute windows on the clock, sign-in.ts): a test that counts requests
 * then never straddles two windows, whatever the time of day it runs.
 */
export function startOfRateWindow(runtime: LocalRuntime): void {
  const clock = clocks.get(runtime);
  if (!clock) throw new Error('this runtime has a clock the test helper cannot move');
  const window = 15 * 60_000;
  clock.advance(window - (clock.now().getTime() % window) + 1_000);
}

/**
 * A fresh code for this officer: a time step is accepted once, so when this
 * step was used already the runtime's clock moves on to the next one.
 */
export function nextCode(runtime: LocalRuntime, email: string): string {
  const a = authenticatorOf(runtime, email);
  if (!a) throw new Error(`no authenticator set up for ${email} in this runtime`);
  const clock = clocks.get(runtime);
  let now = (clock ?? { now: () => new Date() }).now().getTime();
  let step = Math.floor(now / 30_000);
  if (step <= a.lastStep) {
    if (!clock) throw new Error('this runtime has a clock the test helper cannot move');
    clock.advance((a.lastStep + 1 - step) * 30_000);
    now = clock.now().getTime();
    step = Math.floor(now / 30_000);
  }
  a.lastStep = step;
  return totpCode(a.secret, now);
}

/** Completes the second factor for a pending officer session; returns where the app sends them. */
export async function passSecondFactor(runtime: LocalRuntime, client: Client, email: string) {
  const { html } = await client.page(SECOND_FACTOR_PAGE);
  if (html.includes('action="/tweede-stap/instellen"')) {
    const started = await client.request('/tweede-stap/instellen', {
      method: 'POST',
      form: { _csrf: csrfFrom(html) },
    });
    const enrolHtml = await started.text();
    if (started.status !== 200) throw new Error(`enrolment answered ${started.status}`);
    const map = authenticators.get(runtime) ?? new Map<string, Authenticator>();
    authenticators.set(runtime, map);
    map.set(email, { secret: secretFrom(enrolHtml), lastStep: 0, recoveryCodes: [] });
    const confirmed = await client.request('/tweede-stap/instellen/bevestigen', {
      method: 'POST',
      form: { _csrf: csrfFrom(enrolHtml), code: nextCode(runtime, email) },
    });
    const codesHtml = await confirmed.text();
    if (confirmed.status !== 200) throw new Error(`enrolment code answered ${confirmed.status}`);
    const a = map.get(email) as Authenticator;
    a.recoveryCodes = [...codesHtml.matchAll(/<code>([0-9A-Z]{5}-[0-9A-Z]{5})<\/code>/g)].map(
      (m) => m[1] as string,
    );
    return codesHtml.match(/class="utrecht-link" href="([^"]+)">Ik heb de codes/)?.[1] ?? null;
  }
  const res = await client.request(SECOND_FACTOR_PAGE, {
    method: 'POST',
    form: { _csrf: csrfFrom(html), code: nextCode(runtime, email) },
  });
  if (res.status !== 303) throw new Error(`second factor answered ${res.status}`);
  return res.headers.get('location');
}
