import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchChromium } from '../support/browser.ts';
import { signIn, startTestRuntime } from '../support/local.ts';
import { report } from './report.ts';
import { freshForm, signals } from './support.ts';

const PAYLOADS = readFileSync('test/fixtures/xss-payloads.txt', 'utf8').trim().split('\n');
const TEXT_FIELDS = [
  'reporter_name',
  'coordinator_name',
  'location',
  'observed',
  'persons[0][name]',
  'persons[0][age]',
  'persons[0][address]',
  'persons[0][notes]',
  'organisations[0][name]',
  'organisations[0][address]',
];

describe.runIf(browserAvailable())('XSS payloads in every form field', () => {
  let t: Awaited<ReturnType<typeof startTestRuntime>>;
  let browser: Browser;
  beforeAll(async () => {
    t = await startTestRuntime();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('renders them as text in the inbox and on the detail page', async () => {
    const { Client } = await import('../support/local.ts');
    const staff = new Client(t.runtime.url);
    await signIn(t.runtime, staff, 'xss@montfoort.example');
    for (const [i, payload] of PAYLOADS.entries()) {
      const form = await freshForm(staff, `XSS${i}`);
      for (const f of TEXT_FIELDS) form[f] = payload.slice(0, f.endsWith('[age]') ? 40 : 190);
      form['persons[0][role]'] = 'victim';
      form.observed = `Waargenomen: ${payload}`;
      const res = await staff.request('/melden', { method: 'POST', form });
      expect(res.status, `payload ${i}`).toBe(200);
    }
    const ids = (await signals(t.runtime)).map((s) => String(s.id));

    const officer = new Client(t.runtime.url);
    await signIn(t.runtime, officer, 'aandachtsfunctionaris@montfoort.example');
    const context = await browser.newContext();
    await context.addCookies([
      { name: 'mr_session', value: officer.cookie('mr_session') as string, url: t.runtime.url },
    ]);
    const page = await context.newPage();
    let cspViolations = 0;
    let dialogs = 0;
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations++;
    });
    page.on('dialog', async (d) => {
      dialogs++;
      await d.dismiss();
    });
    let executed = 0;
    let badLinks = 0;
    const pages = ['/inbox', ...ids.map((id) => `/inbox/${id}`)];
    for (const path of pages) {
      await page.goto(t.runtime.url + path);
      executed += (await page.evaluate(
        () => (window as unknown as { __xss?: number }).__xss ?? 0,
      )) as number;
      badLinks += await page
        .locator('a[href^="javascript:"], a[href^="data:"], iframe, object, embed')
        .count();
    }
    await context.close();
    const ok = executed === 0 && badLinks === 0 && cspViolations === 0 && dialogs === 0;
    report(
      'XSS',
      `${PAYLOADS.length} payloads × ${TEXT_FIELDS.length} fields, ${pages.length} pages in Chromium: ${executed} script executions, ${badLinks} javascript:/data: links or frames, ${cspViolations} CSP violations`,
      ok,
    );
    expect({ executed, badLinks, cspViolations, dialogs }).toEqual({
      executed: 0,
      badLinks: 0,
      cspViolations: 0,
      dialogs: 0,
    });
  });
});
