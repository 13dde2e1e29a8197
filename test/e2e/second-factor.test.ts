import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAuthAudit } from '#adapters/dynamo/auth-audit.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import type { AuthEvent } from '#core/ports.ts';
import { runAdmin } from '#local/admin.ts';
import {
  authenticatorOf,
  Client,
  csrfFrom,
  nextCode,
  outboxMessages,
  realTimeClock,
  SECOND_FACTOR_PAGE,
  secretFrom,
  signIn,
  startOfRateWindow,
  startTestRuntime,
  totpCode,
} from '../support/local.ts';

const OFFICER = 'aandachtsfunctionaris@montfoort.example';

describe('second factor for the officer (email link + authenticator app)', () => {
  let t: Awaited<ReturnType<typeof startTestRuntime>>;
  let doc: ReturnType<typeof documentClient>;
  const clock = realTimeClock();

  beforeAll(async () => {
    t = await startTestRuntime({ clock });
    doc = documentClient({ endpoint: t.runtime.dynamo.endpoint });
  });
  afterAll(async () => {
    doc?.destroy();
    await t?.close();
  });

  /** Requests a link and POSTs it: the officer's session is then pending. */
  async function linkOnly(client: Client, email = OFFICER) {
    // Links are limited to five per address per 15 minutes: start a fresh window.
    clock.advance(15 * 60_000);
    const { html } = await client.page('/login');
    const before = new Set((await outboxMessages(t.runtime)).map((m) => m.file));
    await client.request('/login', { method: 'POST', form: { email, _csrf: csrfFrom(html) } });
    const mail = (await outboxMessages(t.runtime)).find(
      (m) => !before.has(m.file) && m.to.includes(email),
    );
    const token = mail?.text.match(/\/aanmelden\/([\w-]+)/)?.[1] ?? '';
    const res = await client.request('/aanmelden/bevestigen', { method: 'POST', form: { token } });
    expect(res.headers.get('location')).toBe(SECOND_FACTOR_PAGE);
  }

  async function auditEvents(): Promise<AuthEvent[]> {
    const month = clock.now().toISOString().slice(0, 7);
    return new DynamoAuthAudit(doc, t.runtime.dynamo.table, () => 'x').list(month);
  }

  async function rawItems(prefix: string) {
    const r = await doc.send(new ScanCommand({ TableName: t.runtime.dynamo.table }));
    return (r.Items ?? []).filter((i) => String(i.pk).startsWith(prefix));
  }

  it('lets a pending officer reach no page with data until the code is given', async () => {
    const client = new Client(t.runtime.url);
    await linkOnly(client);
    for (const path of ['/inbox', '/inbox/abcdefghij0123', '/melden']) {
      const res = await client.request(path);
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location'), path).toBe(SECOND_FACTOR_PAGE);
    }
    const { html } = await client.page(SECOND_FACTOR_PAGE);
    expect(html).toContain('Stel een tweede stap in');
    expect(html).not.toContain('href="/inbox"');
  });

  it('sets up the app with a QR code and the secret as text, then shows ten recovery codes once', async () => {
    const client = new Client(t.runtime.url);
    await linkOnly(client);
    const pendingCookie = client.cookie('mr_session');
    const { html } = await client.page(SECOND_FACTOR_PAGE);
    const started = await client.request('/tweede-stap/instellen', {
      method: 'POST',
      form: { _csrf: csrfFrom(html) },
    });
    const enrol = await started.text();
    expect(enrol).toMatch(/<img[^>]+src="data:image\/png;base64,[A-Za-z0-9+/=]+"/);
    const secret = secretFrom(enrol);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);

    const wrong = await client.request('/tweede-stap/instellen/bevestigen', {
      method: 'POST',
      form: { _csrf: csrfFrom(enrol), code: '000000' },
    });
    expect(wrong.status).toBe(400);
    const again = await wrong.text();
    expect(again).toContain('Deze code klopt niet');
    expect(secretFrom(again)).toBe(secret);

    const code = totpCode(secret, clock.now().getTime());
    const ok = await client.request('/tweede-stap/instellen/bevestigen', {
      method: 'POST',
      form: { _csrf: csrfFrom(enrol), code },
    });
    expect(ok.status).toBe(200);
    const page = await ok.text();
    const codes = [...page.matchAll(/<code>([0-9A-Z]{5}-[0-9A-Z]{5})<\/code>/g)].map((m) => m[1]);
    expect(codes).toHaveLength(10);
    // A new session id after the factor: the pending one is gone.
    expect(client.cookie('mr_session')).not.toBe(pendingCookie);
    const old = await fetch(`${t.runtime.url}/inbox`, {
      headers: { cookie: `mr_session=${pendingCookie}` },
      redirect: 'manual',
    });
    expect(old.headers.get('location')).toMatch(/^\/login/);
    expect((await client.request('/inbox')).status).toBe(200);

    // Stored sealed and hashed: neither the secret nor a recovery code is in the table.
    const items = JSON.stringify(await rawItems('FACTOR#'));
    expect(items).not.toContain(secret);
    for (const c of codes) expect(items).not.toContain(String(c).replace('-', ''));
    // Never in the logs either.
    const logs = t.logger.lines.join('\n');
    expect(logs).not.toContain(secret);
    expect(logs).not.toContain(code);
    expect(logs).not.toContain(OFFICER);

    const enrolled = (await auditEvents()).filter((e) => e.type === 'second-factor-enrolled');
    expect(enrolled.at(-1)).toMatchObject({ actor: OFFICER, method: 'totp' });
    expect(JSON.stringify(await auditEvents())).not.toContain(code);

    // The tests below use this app.
    app.set(OFFICER, { secret, recoveryCodes: codes as string[] });
  });

  /** The authenticator app set up by hand above (the shared helper is not used here). */
  const app = new Map<string, { secret: string; recoveryCodes: string[] }>();

  it('accepts a code from the previous time step, but never the same code twice', async () => {
    const a = app.get(OFFICER);
    if (!a) throw new Error('enrolment test did not run');
    const first = new Client(t.runtime.url);
    await linkOnly(first);
    const previous = totpCode(a.secret, clock.now().getTime() - 30_000);
    const { html } = await first.page(SECOND_FACTOR_PAGE);
    expect(html).toContain('Vul de code uit uw app in');
    const ok = await first.request(SECOND_FACTOR_PAGE, {
      method: 'POST',
      form: { _csrf: csrfFrom(html), code: previous },
    });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/inbox');

    const second = new Client(t.runtime.url);
    await linkOnly(second);
    const page2 = await second.page(SECOND_FACTOR_PAGE);
    const replay = await second.request(SECOND_FACTOR_PAGE, {
      method: 'POST',
      form: { _csrf: csrfFrom(page2.html), code: previous },
    });
    expect(replay.status).toBe(400);
    expect((await second.request('/inbox')).headers.get('location')).toBe(SECOND_FACTOR_PAGE);
  });

  it('accepts each recovery code once', async () => {
    const a = app.get(OFFICER);
    const recovery = a?.recoveryCodes[0];
    if (!recovery) throw new Error('enrolment test did not run');
    const client = new Client(t.runtime.url);
    await linkOnly(client);
    const { html } = await client.page(SECOND_FACTOR_PAGE);
    const ok = await client.request(SECOND_FACTOR_PAGE, {
      method: 'POST',
      form: { _csrf: csrfFrom(html), code: recovery.toLowerCase() },
    });
    expect(ok.status).toBe(303);

    const other = new Client(t.runtime.url);
    await linkOnly(other);
    const p = await other.page(SECOND_FACTOR_PAGE);
    const again = await other.request(SECOND_FACTOR_PAGE, {
      method: 'POST',
      form: { _csrf: csrfFrom(p.html), code: recovery },
    });
    expect(again.status).toBe(400);
    const used = (await auditEvents()).filter(
      (e) => e.type === 'second-factor' && e.method === 'recovery-code',
    );
    expect(used).toHaveLength(1);
  });

  it('stops guessing after five wrong codes, even before a right one', async () => {
    const a = app.get(OFFICER);
    if (!a) throw new Error('enrolment test did not run');
    // Attempts count in fixed windows on the clock: the 30 s below must not cross into the next.
    startOfRateWindow(t.runtime);
    const client = new Client(t.runtime.url);
    await linkOnly(client);
    const { html } = await client.page(SECOND_FACTOR_PAGE);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await client.request(SECOND_FACTOR_PAGE, {
        method: 'POST',
        form: { _csrf: csrfFrom(html), code: String(100000 + i) },
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400]);
    clock.advance(30_000);
    const right = totpCode(a.secret, clock.now().getTime());
    const limited = await client.request(SECOND_FACTOR_PAGE, {
      method: 'POST',
      form: { _csrf: csrfFrom(html), code: right },
    });
    expect(limited.status).toBe(429);
    expect(await limited.text()).toContain('Te veel pogingen');
    const events = await auditEvents();
    expect(events.filter((e) => e.type === 'second-factor-failed').length).toBeGreaterThanOrEqual(
      6,
    );
    expect(events.some((e) => e.reason === 'rate-limited' && e.actor === OFFICER)).toBe(true);
    // A fresh window lets the officer in again.
    clock.advance(15 * 60_000);
    const later = await client.request(SECOND_FACTOR_PAGE, {
      method: 'POST',
      form: { _csrf: csrfFrom(html), code: totpCode(a.secret, clock.now().getTime()) },
    });
    expect(later.status).toBe(303);
  });

  it('resets the factor from the command line (audited); the next sign-in sets up a new app', async () => {
    const out: string[] = [];
    const code = await runAdmin(['reset-2fa', OFFICER], {
      dynamoEndpoint: t.runtime.dynamo.endpoint,
      tableName: t.runtime.dynamo.table,
      operator: 'test-operator',
      clock: t.clock,
      out: (l) => out.push(l),
      err: (l) => out.push(l),
    });
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/Second factor removed/);
    const reset = (await auditEvents()).filter((e) => e.type === 'second-factor-reset');
    expect(reset.at(-1)).toMatchObject({
      actor: OFFICER,
      method: 'cli',
      reason: 'by:test-operator',
    });

    // The shared helper (used by every other test) sets up and then uses the new app.
    const client = new Client(t.runtime.url);
    const { location } = await signIn(t.runtime, client, OFFICER);
    expect(location).toBe('/inbox');
    expect(authenticatorOf(t.runtime, OFFICER)?.recoveryCodes).toHaveLength(10);
    const again = new Client(t.runtime.url);
    expect((await signIn(t.runtime, again, OFFICER)).location).toBe('/inbox');
    expect(nextCode(t.runtime, OFFICER)).toMatch(/^\d{6}$/);
  });

  it('refuses unknown commands with usage and exit code 2', async () => {
    const lines: string[] = [];
    expect(await runAdmin(['drop-table'], { err: (l) => lines.push(l) })).toBe(2);
    expect(lines.join('\n')).toContain('Usage: npm run admin -- reset-2fa <email>');
  });

  it('records staff role denials in the audit trail, without codes or tokens', async () => {
    const client = new Client(t.runtime.url);
    await signIn(t.runtime, client, 'jan.jansen@montfoort.example');
    expect((await client.request('/inbox')).status).toBe(403);
    const denied = (await auditEvents()).filter((e) => e.type === 'role-denied');
    expect(denied.at(-1)).toMatchObject({
      actor: 'jan.jansen@montfoort.example',
      role: 'staff',
      path: '/inbox',
    });
    const signIns = (await auditEvents()).filter((e) => e.type === 'sign-in');
    expect(signIns.some((e) => e.method === 'link' && e.role === 'staff')).toBe(true);
  });
});
