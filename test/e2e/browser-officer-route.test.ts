import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, launchChromium } from '../support/browser.ts';
import {
  Client,
  csrfFrom,
  outboxMessages,
  signIn,
  startTestRuntime,
  totpCode,
} from '../support/local.ts';

const STAFF = 'sanne.vos@montfoort.example';
const OFFICER = 'aandachtsfunctionaris@montfoort.example';

describe.runIf(browserAvailable())(
  'in a real browser: the officer takes a signal from received to closed',
  () => {
    let t: Awaited<ReturnType<typeof startTestRuntime>>;
    let browser: Browser;
    let reference = '';

    beforeAll(async () => {
      t = await startTestRuntime();
      browser = await launchChromium();
      // The report itself is another test's subject: file it over HTTP.
      const staff = new Client(t.runtime.url);
      await signIn(t.runtime, staff, STAFF);
      const { html } = await staff.page('/melden');
      const res = await staff.request('/melden', {
        method: 'POST',
        form: {
          _csrf: csrfFrom(html),
          submission_id: html.match(/name="submission_id"[^>]*value="([^"]+)"/)?.[1] ?? '',
          reporter_name: 'Sanne Vos',
          discussed_with_coordinator: 'ja',
          'persons[0][name]': 'Petra Marker',
          'persons[0][role]': 'victim',
          observed: 'Een jonge vrouw woont op de werkplek; haar paspoort ligt bij de werkgever.',
          indicators: ['lives_at_work'],
          exploitation_form: 'labour',
        },
      });
      reference = (await res.text()).match(/MH-\d{4}-\d{4}/)?.[0] ?? '';
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
      const mine = (await outboxMessages(t.runtime)).filter((m) => m.to.includes(email)).at(-1);
      const link = mine?.text.match(/https?:\/\/\S+\/aanmelden\/[\w-]+/)?.[0];
      expect(link).toBeDefined();
      await page.goto(link as string);
      await page.getByRole('button', { name: 'Aanmelden' }).click();
    }

    /** Officers confirm a second factor on first sign-in (the sign-in hardening's flow). */
    async function setUpAuthenticator(page: Page) {
      await page.waitForURL(/\/tweede-stap$/);
      await page.getByRole('button', { name: 'Authenticator-app instellen' }).click();
      const secret = ((await page.locator('#geheime-sleutel').textContent()) ?? '').replace(
        /\s/g,
        '',
      );
      await page.getByLabel(/code uit de app/i).fill(totpCode(secret, t.clock.now().getTime()));
      await page.getByRole('button', { name: 'Bevestigen' }).click();
      await page.getByRole('link', { name: /ik heb de codes bewaard/i }).click();
    }

    it('hands over, gets the partner answer from the emailed link, informs the reporter and closes', async () => {
      const cspViolations: string[] = [];
      const context = await browser.newContext();
      const page = await context.newPage();
      page.setDefaultTimeout(8000);
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
      });
      await signInThroughOutbox(page, OFFICER);
      await setUpAuthenticator(page);
      await page.waitForURL(/\/inbox$/);
      await page.getByRole('link', { name: reference }).click();

      // Step 4: choose (the zorgcoördinator is fixed), write, preview, send.
      await page.getByRole('link', { name: 'Doorzetten naar ketenpartners' }).click();
      await expect(
        page.getByRole('checkbox', { name: /Zorgcoördinator/ }).isDisabled(),
      ).resolves.toBe(true);
      await expect(
        page.getByRole('checkbox', { name: /Arbeidsinspectie/ }).isChecked(),
      ).resolves.toBe(true);
      await page.getByRole('button', { name: 'Verder: teksten schrijven' }).click();
      const draft = await page
        .getByRole('textbox', { name: /Tekst voor Zorgcoördinator/ })
        .inputValue();
      expect(draft).toContain('Petra Marker');
      expect(draft).not.toContain('Sanne');
      await page.getByRole('button', { name: 'Voorbeeld bekijken' }).click();
      await page.getByRole('heading', { name: 'De pagina achter de link' }).first().waitFor();
      await page.getByRole('button', { name: /Versturen naar deze 2 partners/ }).click();
      await page.getByText('Het signaal is doorgezet').waitFor();

      // Step 5: the partner opens the link from the .eml in the outbox and answers.
      const mail = (await outboxMessages(t.runtime)).find((m) =>
        m.to.includes('zorgcoordinatie@moviera.example'),
      );
      expect(mail?.raw).not.toContain('Sanne');
      const link = mail?.text.match(/https?:\/\/\S+\/partner\/[a-z0-9.]+/)?.[0];
      const partnerContext = await browser.newContext();
      const partner = await partnerContext.newPage();
      await partner.goto(link as string);
      await partner.getByRole('heading', { level: 1, name: new RegExp(reference) }).waitFor();
      expect(await partner.textContent('body')).not.toContain('Sanne');
      await partner.getByRole('radio', { name: 'Ja' }).check();
      await partner
        .getByRole('textbox', { name: /Wat heeft u gedaan/ })
        .fill('Contact gelegd met de vrouw; opvang geregeld.');
      await partner.getByRole('button', { name: 'Terugkoppeling versturen' }).click();
      await partner.getByText('Bedankt. Uw terugkoppeling is ontvangen').waitFor();
      await partnerContext.close();

      // Step 6: the labour inspectorate did not answer; report back and close.
      await page.reload();
      await page.getByText('opvang geregeld').waitFor();
      await page.getByRole('button', { name: 'Afsluiten zonder reactie' }).click();
      await page.getByText('De overdracht is afgesloten zonder reactie.').waitFor();
      await page.getByRole('link', { name: 'Melder informeren', exact: true }).last().click();
      await page.getByRole('button', { name: 'Voorbeeld bekijken' }).click();
      await page.getByRole('button', { name: 'Bericht aan de melder versturen' }).click();
      await page.getByText('De melder krijgt nu een e-mail').waitFor();
      await page.getByRole('radio', { name: 'Doorgezet naar ketenpartner(s)' }).check();
      await page.getByRole('button', { name: 'Signaal afsluiten' }).click();
      await page.getByText('Het signaal is afgesloten.').waitFor();

      const history =
        (await page.getByRole('region', { name: 'Geschiedenis' }).textContent()) ?? '';
      for (const step of [
        'Signaal ontvangen',
        'Status gewijzigd',
        'Doorgezet naar ketenpartner',
        'Terugkoppeling ontvangen',
        'Overdracht afgesloten zonder reactie',
        'Melder geïnformeerd',
        'Signaal afgesloten',
        'Partnerlink geopend',
      ]) {
        expect(history, step).toContain(step);
      }
      const toReporter = (await outboxMessages(t.runtime)).find(
        (m) => m.to.includes(STAFF) && m.subject === `Wat er met uw signaal ${reference} is gedaan`,
      );
      expect(toReporter?.text).toContain(`Hartelijk dank voor uw signaal ${reference}`);
      await context.close();
      expect(cspViolations).toEqual([]);
    });
  },
);
