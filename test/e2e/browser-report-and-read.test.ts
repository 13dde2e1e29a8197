import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchChromium } from '../support/browser.ts';
import { outboxMessages, startTestRuntime, totpCode } from '../support/local.ts';

const STAFF = 'sanne.vos@montfoort.example';
const OFFICER = 'aandachtsfunctionaris@montfoort.example';

describe.runIf(browserAvailable())(
  'in a real browser: report a signal, then read it as the officer',
  () => {
    let t: Awaited<ReturnType<typeof startTestRuntime>>;
    let browser: Browser;
    const cspViolations: string[] = [];

    beforeAll(async () => {
      t = await startTestRuntime();
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
      await t?.close();
    });

    async function signInThroughOutbox(page: Page, email: string) {
      await page.goto(`${t.runtime.url}/login`);
      await page.getByLabel(/e-mailadres/i).fill(email);
      await page.getByRole('button', { name: /aanmeldlink|verstuur|stuur/i }).click();
      await page.getByText(/als dit adres bij ons bekend is/i).waitFor();
      await t.runtime.sweepOutbox();
      // Like a newcomer: open the sent mail in /dev/mail and click the link in it.
      await page.goto(`${t.runtime.url}/dev/mail`);
      const mails = await outboxMessages(t.runtime);
      const mine = mails.filter((m) => m.to.includes(email)).at(-1);
      expect(mine).toBeDefined();
      await page
        .getByRole('link', { name: new RegExp(mine?.subject ?? 'Aanmelden', 'i') })
        .first()
        .click();
      await page.getByRole('link', { name: /\/aanmelden\// }).click();
      await page.getByRole('button', { name: 'Aanmelden' }).click();
    }

    /** First officer sign-in: scan (here: read) the secret, confirm a code, keep the recovery codes. */
    async function setUpAuthenticator(page: Page) {
      await page.waitForURL(/\/tweede-stap$/);
      await page.getByRole('button', { name: 'Authenticator-app instellen' }).click();
      await page.getByRole('img', { name: /QR-code/ }).waitFor();
      const secret = ((await page.locator('#geheime-sleutel').textContent()) ?? '').replace(
        /\s/g,
        '',
      );
      await page.getByLabel(/code uit de app/i).fill(totpCode(secret, t.clock.now().getTime()));
      await page.getByRole('button', { name: 'Bevestigen' }).click();
      expect(
        await page.getByRole('list', { name: 'Herstelcodes' }).getByRole('listitem').count(),
      ).toBe(10);
      await page.getByRole('link', { name: /ik heb de codes bewaard/i }).click();
    }

    it('walks the whole path', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
      });

      await signInThroughOutbox(page, STAFF);
      await page.waitForURL(/\/melden$/);

      await page.getByLabel(/^uw naam/i).fill('Sanne Vos');
      await page
        .getByRole('group', { name: /besproken met/i })
        .getByLabel(/^ja$/i)
        .check();
      const person = page.getByRole('group', { name: 'Persoon 1' });
      await person.getByLabel(/^naam$/i).fill('Petra Marker-E2E');
      await person.getByLabel(/^rol$/i).selectOption('victim');
      await page
        .getByRole('textbox', { name: /wat heeft u gezien of gehoord/i })
        .fill(
          'Een jonge vrouw woont op de werkplek; haar paspoort ligt bij de werkgever. E2E-MARKER',
        );
      await page.getByLabel(/woont op de werkplek/i).check();
      await page.getByLabel(/^arbeidsuitbuiting$/i).check();
      await page
        .getByRole('button', { name: /signaal versturen|verstuur signaal|versturen/i })
        .click();

      const heading = page.getByRole('heading', { level: 1 });
      expect(await heading.textContent()).toMatch(/bedankt|ontvangen/i);
      const reference = (await page.textContent('body'))?.match(/MH-\d{4}-\d{4}/)?.[0];
      expect(reference).toBeDefined();

      await page.getByRole('button', { name: /afmelden|uitloggen/i }).click();
      await signInThroughOutbox(page, OFFICER);
      await setUpAuthenticator(page);
      await page.waitForURL(/\/inbox$/);
      await page.getByRole('link', { name: reference as string }).click();
      await page.getByText('E2E-MARKER', { exact: false }).waitFor();
      await page.getByText('Petra Marker-E2E').waitFor();
      await page.getByText('Sanne Vos').first().waitFor();
      await context.close();
      expect(cspViolations).toEqual([]);
    });
  },
);
