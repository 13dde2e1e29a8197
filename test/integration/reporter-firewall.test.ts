import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { HmacLinkSigner } from '#adapters/crypto/hmac.ts';
import { DynamoSignalStore } from '#adapters/dynamo/signal-store.ts';
import { parseConfig } from '#core/config.ts';
import type { OutgoingEmail, SealedMail } from '#core/ports.ts';
import { mailContext, openJson } from '#core/sealing.ts';
import { submitSignal } from '#core/use-cases/submit-signal.ts';
import type { WorkflowDeps } from '#core/use-cases/workflow/change.ts';
import { planHandover, previewHandover, sendHandover } from '#core/use-cases/workflow/hand-over.ts';
import { openPartnerLink } from '#core/use-cases/workflow/partner-feedback.ts';
import { renderPage } from '#forms/pages/layout.tsx';
import { PartnerPage } from '#forms/pages/partner-page.tsx';
import { emailRenderer } from '#templates/render.ts';
import { testTable } from '../support/dynamo.ts';
import { counterIds, fixedClock, testCrypto } from '../support/fakes.ts';
import { markedSubmission } from '../support/submission.ts';

const config = parseConfig(JSON.parse(readFileSync('config/montfoort.example.json', 'utf8')));

/** Rule 1: whatever the reporter is called, nothing a partner receives or opens names them. */
describe('the reporter firewall (property)', () => {
  let t: Awaited<ReturnType<typeof testTable>>;
  let deps: WorkflowDeps & { ids: ReturnType<typeof counterIds> };
  const mails: OutgoingEmail[] = [];

  beforeAll(async () => {
    t = await testTable('meldroute-firewall');
    const store = new DynamoSignalStore(t.doc, t.table);
    const crypto = testCrypto();
    // Capture every mail the handover queues, decrypted as the outbox sweep would.
    const update = store.update.bind(store);
    store.update = async (s, v, sealed: SealedMail[] = []) => {
      for (const m of sealed) {
        mails.push(
          (await openJson(
            crypto,
            m.cipher,
            mailContext('montfoort', s.id),
            z.any(),
          )) as OutgoingEmail,
        );
      }
      return update(s, v, sealed);
    };
    deps = {
      config,
      store,
      crypto,
      clock: fixedClock('2026-03-02T09:00:00Z'),
      render: emailRenderer,
      ids: counterIds(),
      linkSigner: new HmacLinkSigner(randomBytes(32)),
    };
  });
  afterAll(() => t.close());

  const word = fc.stringMatching(/^[A-Z][a-z]{5,9}$/);
  const reporterArb = fc.record({
    first: word,
    last: word,
    local: fc.stringMatching(/^[a-z]{6,12}$/),
    phone: fc.stringMatching(/^06[1-9]\d{7}$/),
    textInEmail: fc.boolean(),
  });

  it('no reporter name, email or phone in any partner email or partner page', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(reporterArb, async (r) => {
        mails.length = 0;
        const name = `${r.first} ${r.last}`;
        const email = `${r.local}@montfoort.example`;
        const base = markedSubmission(`FW${n}`);
        // The worst case: the reporter's signature ended up in what they wrote.
        const submission = {
          ...base,
          reporter: { ...base.reporter, name, email, phone: r.phone },
          content: {
            ...base.content,
            observed: `${base.content.observed}\n\nMet groet,\n${name}\n${email}\n${r.phone}`,
          },
        };
        const { signalId } = await submitSignal(deps, {
          submission,
          channel: 'form',
          idempotencyKey: `fw${n++}`,
        });
        const plan = await planHandover(deps, { signalId });
        const draft = plan?.draft ?? '';
        const partners = {
          ...deps,
          config: {
            ...config,
            partners: config.partners.map((p) => ({ ...p, textInEmail: r.textInEmail })),
          },
        };
        const request = { selected: ['nla'], texts: { zorgcoordinator: draft, nla: draft } };
        const preview = await previewHandover(partners, { signalId, request });
        const sent = await sendHandover(partners, {
          signalId,
          actor: 'af@montfoort.example',
          request,
        });
        expect(sent.ok).toBe(true);
        const pages: string[] = [];
        for (const m of mails) {
          const token = m.text.match(/\/partner\/([a-z0-9.]+)/)?.[1] ?? '';
          const opened = await openPartnerLink(deps, { token });
          if (opened.ok)
            pages.push(
              renderPage(PartnerPage({ config, view: opened.view, token, csrfToken: 'x' })),
            );
        }
        expect(pages).toHaveLength(2);
        const everything = [
          ...mails.flatMap((m) => [m.subject, m.text, m.html, m.replyTo ?? '', ...m.to]),
          ...(preview?.ok
            ? preview.previews.flatMap((p) => [p.email.text, p.email.html, JSON.stringify(p.page)])
            : []),
          ...pages,
        ].join('\n');
        const digits = everything.replace(/\D/g, '');
        // Words one by one in what people read (HTML markup and CSS hold random words like "length").
        const readable = [
          ...mails.flatMap((m) => [m.subject, m.text]),
          ...pages.map((p) => p.replace(/<style[\s\S]*?<\/style>|<[^>]+>/g, ' ')),
        ].join('\n');
        expect(everything).not.toContain(name);
        expect(readable).not.toContain(r.first);
        expect(readable).not.toContain(r.last);
        expect(everything.toLowerCase()).not.toContain(email);
        expect(digits).not.toContain(r.phone.slice(1));
        expect(everything).not.toContain('Melder FW'); // nothing of the stored reporter part either
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
