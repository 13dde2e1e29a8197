import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostalMimeParser } from '#adapters/mail/postal-mime-parser.ts';
import { parseConfig } from '#core/config.ts';
import { plusAddress } from '#core/mail/addresses.ts';
import { blobKeys } from '#core/mail/raw-mail.ts';
import { ADDITION_EVENT } from '#core/use-cases/append-reporter-addition.ts';
import { intakeRawMail, processPendingRawMail } from '#core/use-cases/intake-mail.ts';
import { downloadAttachment, viewAddition, viewMailHeaders } from '#core/use-cases/mail-files.ts';
import { exampleConfig as config, mailIntakeHarness, plainMail } from '../support/mail-intake.ts';

const officer = config.officers[0] ?? '';
const fixture = (name: string) => readFileSync(`test/fixtures/mail/${name}`);

/** Generated pathological messages the corpus lacks. */
function nested(levels: number): string {
  let open = '';
  let close = '';
  for (let i = 0; i < levels; i++) {
    open += `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`;
    close = `\r\n--b${i}--\r\n${close}`;
  }
  return `From: jan@montfoort.example\r\nSubject: diep\r\nMIME-Version: 1.0\r\n${open}Content-Type: text/plain\r\n\r\nonder op\r\n${close}`;
}
const manyHeaders = (n: number) =>
  plainMail({
    from: 'jan@montfoort.example',
    headers: Array.from({ length: n }, (_, i) => `X-Extra-${i}: waarde ${i}`),
  });
const longLine = plainMail({ from: 'jan@montfoort.example', body: 'a'.repeat(2 * 1024 * 1024) });

describe('mail intake', () => {
  let h: Awaited<ReturnType<typeof mailIntakeHarness>>;
  const files = () => ({ ...h.deps, blobs: h.blobs });
  beforeAll(async () => {
    h = await mailIntakeHarness();
  });
  afterAll(() => h?.close());

  it('makes a staff mail a signal with a receipt that a reply finds its way back from', async () => {
    const o = await h.deliver(
      plainMail({ from: 'Jan Smit <Jan.Smit@montfoort.example>', subject: 'Zorgen over buren' }),
    );
    expect(o.kind).toBe('signal');
    if (o.kind !== 'signal') return;
    const { reporter, content } = await h.opened(o.signalId);
    expect(reporter).toMatchObject({
      name: 'Jan Smit',
      email: 'jan.smit@montfoort.example',
      external: false,
    });
    expect(content).toMatchObject({
      subject: 'Zorgen over buren',
      observed: 'Ik zag iets op de werkplek.',
    });
    const signal = await h.store.get(o.signalId);
    expect(signal).toMatchObject({ channel: 'email', status: 'received' });
    const mails = await h.queuedMails(o.signalId);
    const receipt = mails.find((m) => m.to[0] === 'jan.smit@montfoort.example');
    expect(receipt?.subject).toContain(o.reference);
    expect(receipt?.text).not.toContain('werkplek');
    expect(receipt?.replyTo).toMatch(/^meldpunt-mensenhandel\+[a-z2-7]{37}@montfoort\.example$/);
    expect(mails.some((m) => m.to[0] === officer)).toBe(true);
    // The officer can see the original headers, and that is audited.
    const headers = await viewMailHeaders(files(), { signalId: o.signalId, actor: officer });
    expect(headers.find((x) => x.key === 'subject')?.value).toBe('Zorgen over buren');
    expect((await h.store.listAudit(o.signalId)).map((a) => a.type)).toContain('headers_viewed');
  });

  it('marks senders outside the staff domains as external', async () => {
    const o = await h.deliver(plainMail({ from: 'buurvrouw@elders.example' }));
    if (o.kind !== 'signal') throw new Error(o.kind);
    expect((await h.opened(o.signalId)).reporter.external).toBe(true);
  });

  it('stores the same message delivered twice once', async () => {
    const mail = plainMail({ from: 'jan@montfoort.example', messageId: 'twice@montfoort.example' });
    const first = await h.deliver(mail);
    const second = await h.deliver(mail);
    expect(first.kind).toBe('signal');
    expect(second).toMatchObject({ kind: 'signal', duplicate: true });
    expect('signalId' in second && 'signalId' in first && second.signalId === first.signalId).toBe(
      true,
    );
    const rawKey = await h.storeRaw(mail);
    await intakeRawMail(h.deps, { rawKey, receivedVia: 'smtp' });
    expect((await intakeRawMail(h.deps, { rawKey, receivedVia: 'smtp' })).kind).toBe(
      'already-processed',
    );
  });

  it('converts HTML-only mail to text and never keeps markup', async () => {
    const o = await h.deliver(fixture('html-only.eml'));
    if (o.kind !== 'signal') throw new Error(o.kind);
    const { content } = await h.opened(o.signalId);
    expect(content.observed).toBe(
      'Bij de loods aan de Industrieweg slapen zes mensen in een container.\n\nZe werken > 12 uur per dag.',
    );
  });

  it('serves an attachment whose type lies as a download, and notes it', async () => {
    const o = await h.deliver(fixture('lying-content-type.eml'));
    if (o.kind !== 'signal') throw new Error(o.kind);
    const { content } = await h.opened(o.signalId);
    expect(content.intakeNotes?.join(' ')).toMatch(/plattegrond\.pdf.*klopt niet/);
    const file = await downloadAttachment(files(), {
      signalId: o.signalId,
      attachmentId: 'a1',
      actor: officer,
    });
    expect(file.meta.filename).toBe('plattegrond.pdf');
    expect(file.servedAs).toBe('application/octet-stream');
    expect(new TextDecoder().decode(file.bytes)).toContain('<script>');
    const audit = await h.store.listAudit(o.signalId);
    expect(audit).toContainEqual(
      expect.objectContaining({ type: 'attachment_downloaded', detail: 'a1', actor: officer }),
    );
  });

  it('keeps 100 nested multiparts as unprocessable and tells the sender in Dutch', async () => {
    const o = await h.deliver(nested(100));
    expect(o).toMatchObject({ kind: 'unprocessable', reason: 'unreadable' });
    if (o.kind !== 'unprocessable') return;
    const { content } = await h.opened(o.signalId);
    expect(content.attachments?.[0]).toMatchObject({ id: 'origineel', filename: 'origineel.eml' });
    const mails = await h.queuedMails(o.signalId);
    expect(mails.some((m) => m.to[0] === officer)).toBe(true);
    const reply = mails.find((m) => m.id.endsWith('-unprocessable'));
    expect(reply?.to).toEqual(['jan@montfoort.example']);
    expect(reply?.subject).toBe('Uw e-mail aan het meldpunt mensenhandel kon niet worden gelezen');
    expect(reply?.headers?.['Auto-Submitted']).toBe('auto-replied');
  });

  it('reads a message with 5,000 headers and keeps the first thousand', async () => {
    const o = await h.deliver(manyHeaders(5000));
    if (o.kind !== 'signal') throw new Error(o.kind);
    const { content } = await h.opened(o.signalId);
    expect(content.observed).toBe('Ik zag iets op de werkplek.');
    expect(content.intakeNotes?.join(' ')).toMatch(/kopregels/);
    expect(content.attachments?.map((a) => a.id)).toContain('origineel');
  });

  it('shortens a 2 MB single line to what a signal holds and keeps the whole mail', async () => {
    const o = await h.deliver(longLine);
    if (o.kind !== 'signal') throw new Error(o.kind);
    const { content } = await h.opened(o.signalId);
    expect(content.observed.length).toBe(20_000);
    expect(content.attachments?.find((a) => a.id === 'origineel')?.size).toBeGreaterThan(
      2 * 1024 * 1024,
    );
  });

  it('refuses a message over the size limit without reading its body, and says so', async () => {
    const small = parseConfig({
      ...JSON.parse(readFileSync('config/montfoort.example.json', 'utf8')),
      limits: { maxMessageBytes: 2000 },
    });
    const rawKey = await h.storeRaw(
      plainMail({ from: 'jan@montfoort.example', body: 'x'.repeat(100_000) }),
    );
    const o = await intakeRawMail({ ...h.deps, config: small }, { rawKey, receivedVia: 'ses' });
    expect(o).toMatchObject({ kind: 'unprocessable', reason: 'too-large' });
    if (o.kind !== 'unprocessable') return;
    const reply = (await h.queuedMails(o.signalId)).find((m) => m.id.endsWith('-unprocessable'));
    expect(reply?.text).toMatch(/te groot/);
  });

  it('never hangs on a parser that gives up, and keeps the message', async () => {
    const rawKey = await h.storeRaw(plainMail({ from: 'jan@montfoort.example' }));
    const slow = { ...h.deps, parser: new PostalMimeParser({ timeoutMs: 1 }) };
    const o = await intakeRawMail(slow, { rawKey, receivedVia: 'smtp' });
    expect(o).toMatchObject({ kind: 'unprocessable', reason: 'unreadable' });
  });

  it('attaches a reply to the plus-address in the receipt to its signal', async () => {
    const first = await h.deliver(
      plainMail({ from: 'melder@montfoort.example', subject: 'Eerste melding' }),
    );
    if (first.kind !== 'signal') throw new Error(first.kind);
    const replyTo = (await h.queuedMails(first.signalId)).find((m) => m.replyTo)?.replyTo ?? '';
    const reply = plainMail({
      from: 'melder@montfoort.example',
      to: replyTo,
      subject: 'Re: Ontvangstbevestiging',
      body: 'Het kenteken is AB-123-C.',
    });
    const o = await h.deliver(reply);
    expect(o).toMatchObject({
      kind: 'reply-attached',
      signalId: first.signalId,
      reference: first.reference,
    });
    const signal = await h.store.get(first.signalId);
    const event = signal?.events.find((e) => e.type === ADDITION_EVENT);
    expect(event?.detail).toMatch(/^x[a-z0-9]+$/);
    expect(JSON.stringify(signal?.events)).not.toContain('AB-123-C');
    const addition = await viewAddition(files(), {
      signalId: first.signalId,
      additionId: event?.detail ?? '',
      actor: officer,
    });
    expect(addition.text).toBe('Het kenteken is AB-123-C.');
    // The officers are told: the reference and a link, never the addition itself.
    const notices = () =>
      h
        .queuedMails(first.signalId)
        .then((mails) =>
          mails.filter((m) => m.subject === `Aanvulling op signaal ${first.reference}`),
        );
    const told = await notices();
    expect(told.map((m) => m.to[0])).toEqual(config.officers);
    expect(told[0]?.text).toContain(`/inbox/${first.signalId}`);
    expect(`${told[0]?.text}${told[0]?.html}`).not.toContain('AB-123-C');
    // Redelivered: added once, told once.
    await h.deliver(reply);
    expect(
      (await h.store.get(first.signalId))?.events.filter((e) => e.type === ADDITION_EVENT),
    ).toHaveLength(1);
    expect(await notices()).toHaveLength(config.officers.length);
  });

  it('attaches a reply naming the reference only when it comes from the reporter', async () => {
    const first = await h.deliver(plainMail({ from: 'melder2@montfoort.example' }));
    if (first.kind !== 'signal') throw new Error(first.kind);
    const subject = `Re: Ontvangstbevestiging signaal ${first.reference}`;
    const own = await h.deliver(
      plainMail({ from: 'Melder2@Montfoort.example', subject, body: 'Aanvulling.' }),
    );
    expect(own).toMatchObject({ kind: 'reply-attached', signalId: first.signalId });
    const stranger = await h.deliver(
      plainMail({ from: 'iemand@elders.example', subject, body: 'Ik weet ook iets.' }),
    );
    expect(stranger.kind).toBe('signal');
  });

  it('ignores an out-of-office reply to a plus-address and answers nothing', async () => {
    const first = await h.deliver(plainMail({ from: 'melder3@montfoort.example' }));
    if (first.kind !== 'signal') throw new Error(first.kind);
    const token = plusAddress(config, h.deps.replyTokens?.issue(first.signalId) ?? '');
    const o = await h.deliver(
      plainMail({
        from: 'melder3@montfoort.example',
        to: token,
        subject: 'Automatisch antwoord: Ontvangstbevestiging',
        headers: ['Auto-Submitted: auto-replied'],
      }),
    );
    expect(o.kind).toBe('auto-reply-ignored');
    expect((await h.store.get(first.signalId))?.events.some((e) => e.type === ADDITION_EVENT)).toBe(
      false,
    );
  });

  it('quarantines a message with a virus: no signal, the officers told, the raw kept', async () => {
    const before = (await h.store.list({ limit: 500 })).items.length;
    const o = await h.deliver(plainMail({ from: 'jan@montfoort.example' }), {
      verdicts: { virus: 'FAIL' },
    });
    expect(o.kind).toBe('quarantined');
    expect((await h.store.list({ limit: 500 })).items.length).toBe(before);
    expect(await h.blobs.get(blobKeys.raw(o.rawId))).toBeDefined();
    expect(h.sentDirectly.map((m) => m.to[0])).toEqual(config.officers);
    expect(h.sentDirectly[0]?.text).toContain(o.rawId);
    expect(h.sentDirectly[0]?.text).not.toContain('jan@');
  });

  it('flags a staff-domain sender whose SPF, DKIM or DMARC failed, and keeps the signal', async () => {
    const staff = await h.deliver(plainMail({ from: 'jan@montfoort.example' }), {
      verdicts: { spf: 'PASS', dkim: 'FAIL' },
    });
    const outside = await h.deliver(plainMail({ from: 'x@elders.example' }), {
      verdicts: { dmarc: 'FAIL' },
    });
    if (staff.kind !== 'signal' || outside.kind !== 'signal') throw new Error('not signals');
    expect((await h.store.get(staff.signalId))?.senderUnverified).toBe(true);
    expect((await h.store.get(outside.signalId))?.senderUnverified).toBeUndefined();
  });

  it('sends no receipt to a sender the mail server could not confirm, and tells the officer why', async () => {
    const cases = [
      { dmarc: 'FAIL' },
      { spf: 'FAIL', dkim: 'FAIL' },
      { spam: 'FAIL', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' },
    ] as const;
    for (const [i, verdicts] of cases.entries()) {
      const from = `onbevestigd${i}@elders.example`;
      const o = await h.deliver(plainMail({ from, subject: `Onbevestigd ${i}` }), { verdicts });
      if (o.kind !== 'signal') throw new Error(`case ${i}: ${o.kind}`);
      const mails = await h.queuedMails(o.signalId);
      expect(
        mails.some((m) => m.to.includes(from)),
        `case ${i}`,
      ).toBe(false);
      expect(mails.filter((m) => config.officers.includes(m.to[0] ?? ''))).toHaveLength(
        config.officers.length,
      );
      expect((await h.opened(o.signalId)).content.intakeNotes?.join(' ')).toContain(
        'geen ontvangstbevestiging',
      );
    }
    // SPF alone failing (a forwarded mail) still gets its receipt.
    const forwarded = await h.deliver(plainMail({ from: 'doorgestuurd@elders.example' }), {
      verdicts: { spf: 'FAIL', dkim: 'PASS', dmarc: 'PASS' },
    });
    if (forwarded.kind !== 'signal') throw new Error(forwarded.kind);
    const mails = await h.queuedMails(forwarded.signalId);
    expect(mails.some((m) => m.to.includes('doorgestuurd@elders.example'))).toBe(true);
  });

  it('processes on start whatever was stored but not processed', async () => {
    const keys = [
      await h.storeRaw(plainMail({ from: 'a@montfoort.example' })),
      await h.storeRaw(plainMail({ from: 'b@montfoort.example' })),
    ];
    const seen: string[] = [];
    const r = await processPendingRawMail(h.deps, async (key) => {
      seen.push(key);
      return intakeRawMail(h.deps, { rawKey: key, receivedVia: 'smtp' });
    });
    expect(seen).toEqual(keys);
    expect(r).toEqual({ processed: 2, failed: 0 });
    expect((await processPendingRawMail(h.deps, async () => undefined)).processed).toBe(0);
  });

  it('never logs an address, a name or a subject', () => {
    const log = h.logger.lines.join('\n');
    for (const needle of [
      'montfoort.example',
      'elders.example',
      'Jan Smit',
      'Zorgen',
      'kenteken',
    ]) {
      expect(log).not.toContain(needle);
    }
  });
});
