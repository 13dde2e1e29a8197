import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAuthAudit } from '#adapters/dynamo/auth-audit.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import type { AuthEvent } from '#core/ports.ts';
import { startIdp, type TestIdp } from '../../scripts/idp.ts';
import { browserAvailable, launchChromium } from '../support/browser.ts';
import { Client, csrfFrom, outboxMessages, startTestRuntime } from '../support/local.ts';

const OFFICER = 'aandachtsfunctionaris@montfoort.example';
const CLIENT_SECRET = 'sso-test-secret-0123456789';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe.runIf(browserAvailable())('single sign-on with the municipality provider (OIDC)', () => {
  let idp: TestIdp;
  let t: Awaited<ReturnType<typeof startTestRuntime>>;
  let browser: Browser;
  let doc: ReturnType<typeof documentClient>;
  let app: string;

  beforeAll(async () => {
    const port = await freePort();
    app = `http://127.0.0.1:${port}`;
    idp = await startIdp({
      clientId: 'meldroute-test',
      clientSecret: CLIENT_SECRET,
      redirectUris: [`${app}/login/sso/callback`],
    });
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'meldroute-sso-'));
    const secretFile = join(dir, 'client-secret');
    await writeFile(secretFile, `${CLIENT_SECRET}\n`);
    const base = JSON.parse(await readFile('config/montfoort.example.json', 'utf8'));
    const configFile = join(dir, 'config.json');
    await writeFile(
      configFile,
      JSON.stringify({
        ...base,
        sso: {
          issuer: idp.issuer,
          clientId: 'meldroute-test',
          clientSecret: { file: secretFile },
          groups: { claim: 'groups', officer: 'meldroute-aandachtsfunctionaris' },
          emailLink: { officers: false, staff: true },
        },
      }),
    );
    t = await startTestRuntime({ port, baseUrl: app, configFile });
    doc = documentClient({ endpoint: t.runtime.dynamo.endpoint });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    doc?.destroy();
    await t?.close();
    await idp?.close();
  });

  async function auditEvents(): Promise<AuthEvent[]> {
    const month = t.clock.now().toISOString().slice(0, 7);
    return new DynamoAuthAudit(doc, t.runtime.dynamo.table, () => 'x').list(month);
  }

  /** From the login page to the provider's form, as a person would; returns at the provider. */
  async function toProvider(page: Page) {
    await page.goto(`${app}/login`);
    await page.getByRole('link', { name: 'Aanmelden met uw account van de gemeente' }).click();
    await page.waitForURL(`${idp.issuer}/**`);
  }

  async function loginAtProvider(page: Page, login: string) {
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('wat-dan-ook');
    await page.getByRole('button', { name: 'Sign-in' }).click();
  }

  /**
   * Signs in at the provider but stops the browser before our callback runs;
   * returns the callback URL the provider sent it to.
   */
  async function callbackUrlFor(page: Page, login?: string) {
    const held = idp.holdNextRedirect();
    await toProvider(page);
    if (login) await loginAtProvider(page, login);
    return held;
  }

  async function expectRefused(page: Page, reason: string, hadSession = false) {
    await page
      .getByRole('heading', { level: 1, name: /niet gelukt|verlopen|afgebroken/ })
      .waitFor();
    expect(await page.textContent('main')).toMatch(/Probeer opnieuw aan te melden/);
    const failed = (await auditEvents()).filter((e) => e.type === 'sign-in-failed');
    expect(failed.at(-1)).toMatchObject({ method: 'sso', reason });
    // Never a code or token in the audit trail.
    expect(JSON.stringify(failed)).not.toMatch(/code=|eyJ/);
    if (!hadSession) {
      expect((await page.context().cookies()).some((c) => c.name === 'mr_session')).toBe(false);
    }
  }

  it('signs a staff member in with the municipality account, and they can report', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const csp: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) csp.push(m.text());
    });
    await toProvider(page);
    await loginAtProvider(page, 'medewerker');
    await page.waitForURL(`${app}/melden`);
    await page.getByText('medewerker@montfoort.example').waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toMatch(/signaal/i);
    expect(csp).toEqual([]);
    const signIn = (await auditEvents()).filter((e) => e.type === 'sign-in').at(-1);
    expect(signIn).toMatchObject({
      actor: 'medewerker@montfoort.example',
      role: 'staff',
      method: 'sso',
    });
    await context.close();
  });

  it('gives the officer role by group claim, straight to the inbox (the provider does MFA)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await toProvider(page);
    await loginAtProvider(page, 'af');
    await page.waitForURL(`${app}/inbox`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await context.close();
  });

  it('refuses a tampered state', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const url = await callbackUrlFor(page, 'medewerker');
    url.searchParams.set('state', `${url.searchParams.get('state')}x`);
    await page.goto(url.href);
    await expectRefused(page, 'state');
    await context.close();
  });

  it('refuses a replayed callback, and a code used before even with a fresh flow', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const first = await callbackUrlFor(page, 'medewerker');
    await page.goto(first.href);
    await page.waitForURL(`${app}/melden`);
    // The same answer again: its flow is used up.
    await page.goto(first.href);
    await expectRefused(page, 'flow', true);
    // A fresh flow with the old code: the provider refuses the code (and PKCE would too).
    const second = await callbackUrlFor(page);
    second.searchParams.set('code', first.searchParams.get('code') ?? '');
    await page.goto(second.href);
    await expectRefused(page, 'code', true);
    await context.close();
  });

  const forged: Array<[string, string, (c: Record<string, unknown>) => Record<string, unknown>]> = [
    ['a wrong nonce', 'nonce', (c) => ({ ...c, nonce: 'not-the-nonce-we-sent' })],
    ['a wrong audience', 'audience', (c) => ({ ...c, aud: 'another-client' })],
    ['a wrong issuer', 'issuer', (c) => ({ ...c, iss: 'https://idp.elders.example' })],
    [
      'an expired token',
      'expired',
      (c) => ({
        ...c,
        iat: Math.floor(Date.now() / 1000) - 7200,
        exp: Math.floor(Date.now() / 1000) - 3600,
      }),
    ],
  ];
  for (const [what, reason, claims] of forged) {
    it(`refuses an ID token with ${what}`, async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      idp.tamper({ claims });
      try {
        await toProvider(page);
        await loginAtProvider(page, 'af');
        await expectRefused(page, reason);
      } finally {
        idp.tamper(undefined);
        await context.close();
      }
    });
  }

  it('refuses an ID token signed with a key the provider does not publish', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    idp.tamper({ foreignKey: true });
    try {
      await toProvider(page);
      await loginAtProvider(page, 'af');
      await expectRefused(page, 'signature');
    } finally {
      idp.tamper(undefined);
      await context.close();
    }
  });

  it('refuses an account without a role in Meldroute', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await toProvider(page);
    await loginAtProvider(page, 'iemand@elders.example');
    await page.getByRole('heading', { level: 1, name: 'Geen toegang tot Meldroute' }).waitFor();
    const failed = (await auditEvents()).filter((e) => e.type === 'sign-in-failed').at(-1);
    expect(failed).toMatchObject({ reason: 'no-role', actor: 'iemand@elders.example' });
    await context.close();
  });

  it('switches email links off for officers only: the officer gets no link, staff still do', async () => {
    const before = (await outboxMessages(t.runtime)).length;
    for (const email of [OFFICER, 'piet@montfoort.example']) {
      const client = new Client(t.runtime.url);
      const { html } = await client.page('/login');
      expect(html).toContain('Aanmelden met uw account van de gemeente');
      const res = await client.request('/login', {
        method: 'POST',
        form: { email, _csrf: csrfFrom(html) },
      });
      expect(res.status).toBe(200);
    }
    const after = await outboxMessages(t.runtime);
    expect(after.length).toBe(before + 1);
    expect(after.some((m) => m.to.includes(OFFICER))).toBe(false);
  });
});
