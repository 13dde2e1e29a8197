import nodemailer from 'nodemailer';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, csrfFrom, outboxMessages, signIn, startTestRuntime } from '../support/local.ts';
import { report } from './report.ts';
import { freshForm, signals } from './support.ts';

const OFFICER = 'aandachtsfunctionaris@montfoort.example';
const STAFF = 'header-medewerker@montfoort.example';
const EVIL = 'evil@attacker.example';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** What an attacker puts in a field to start a header or a recipient of their own. */
const PAYLOADS = [
  `x\r\nBcc: ${EVIL}\r\nX-Injected: crlf`,
  `x\nBcc: ${EVIL}\nX-Injected: lf`,
  `x\rBcc: ${EVIL}\rX-Injected: cr`,
  `x\u2028Bcc: ${EVIL}\u2028X-Injected: u2028`,
  `=?utf-8?B?${b64(`x\r\nBcc: ${EVIL}\r\nX-Injected: b-word`)}?=`,
  `=?utf-8?Q?x=0D=0ABcc:_${EVIL}=0D=0AX-Injected:_q-word?=`,
  `x, ${EVIL}`,
  `x <${EVIL}`,
];
// Not here: `x <evil@…>` in From. That names the sender's address itself, and a receipt goes
// to the sender by design; a forged From is not an injection.

/** Headers Meldroute's own mails may carry, and how often. */
const ALLOWED = new Set([
  'from',
  'to',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'auto-submitted',
  'x-auto-response-suppress',
  'in-reply-to',
  'references',
  'precedence',
]);

/** A hostile mail: the payload in the sender's name, subject, reply-to and a file name. */
function hostileMail(i: number, payload: string, mailbox: string) {
  // Raw bytes as an attacker's server would send them: the payload goes in as is
  // where it can, as an encoded word where a raw line break would end the header.
  const inHeader = /[\r\n\u2028]/.test(payload)
    ? `=?utf-8?B?${b64(payload)}?=`
    : payload.replace(/"/g, '');
  return [
    `From: ${inHeader} <hi-melder${i}@montfoort.example>`,
    `To: ${mailbox}`,
    `Reply-To: ${inHeader} <hi-antwoord${i}@montfoort.example>`,
    `Subject: Signaal ${inHeader}`,
    `Message-ID: <hi-${i}@montfoort.example>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="grens"',
    '',
    '--grens',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Signaal HI${i}: iemand slaapt in het restaurant.`,
    '--grens',
    `Content-Type: application/pdf; name="${inHeader}.pdf"`,
    `Content-Disposition: attachment; filename="${inHeader}.pdf"`,
    'Content-Transfer-Encoding: base64',
    '',
    b64('%PDF-1.4\n%%EOF\n'),
    '--grens--',
    '',
  ].join('\r\n');
}

describe('header injection', () => {
  let t: Awaited<ReturnType<typeof startTestRuntime>>;
  beforeAll(async () => {
    t = await startTestRuntime({ sweepIntervalMs: 500 });
  });
  afterAll(() => t.close());

  it('lets no field start a header or add a recipient, re-parsed from the sent bytes', async () => {
    const { runtime } = t;
    const staff = new Client(runtime.url);
    await signIn(runtime, staff, STAFF);
    const officer = new Client(runtime.url);
    await signIn(runtime, officer, OFFICER);
    const transport = nodemailer.createTransport({
      host: runtime.smtp.host,
      port: runtime.smtp.port,
      secure: false,
      ignoreTLS: true,
    });

    // 1. The form: every free-text field that could travel towards a mail.
    let formsAccepted = 0;
    let formsRefused = 0;
    for (const [i, p] of PAYLOADS.entries()) {
      const form = await freshForm(staff, `HIFORM${i}`);
      Object.assign(form, {
        reporter_name: `Melder ${p}`,
        discussed_with_coordinator: 'ja',
        coordinator_name: `Coordinator ${p}`,
        location: p,
        observed: `Signaal HIFORM${i} ${p}`,
        'persons[0][name]': `Persoon ${p}`,
        'persons[0][role]': 'victim',
      });
      const res = await staff.request('/melden', { method: 'POST', form });
      await res.text();
      if (res.status === 200) formsAccepted++;
      else if (res.status === 400) formsRefused++;
      else throw new Error(`form answered ${res.status}`);
    }

    // 2. The mailbox: name, subject, reply-to and file name of a mailed signal.
    for (const [i, p] of PAYLOADS.entries()) {
      await transport.sendMail({
        envelope: { from: `hi-melder${i}@montfoort.example`, to: [runtime.config.mailbox] },
        raw: hostileMail(i, p, runtime.config.mailbox),
      });
    }
    await runtime.smtp.idle();

    // 3. A handover with the payloads in the officer's texts, and a partner's hostile reply.
    // A form signal: a mailed one is named after its sender, whom the texts here quote.
    const signalId = String((await signals(runtime)).find((x) => x.channel === 'form')?.id ?? '');
    const page = `/inbox/${signalId}`;
    const text = `Graag opvolging. ${PAYLOADS.join(' ')}`;
    const form = {
      selected: ['zorgcoordinator', 'nla', 'politie-avim', 'riec'],
      overrideReason: 'test',
      text_zorgcoordinator: text,
      text_nla: text,
      'text_politie-avim': text,
      text_riec: text,
    };
    const detail = (await officer.page(page)).html;
    const handover = await officer.request(`${page}/doorzetten/versturen`, {
      method: 'POST',
      form: { _csrf: csrfFrom(detail), ...form },
    });
    await handover.text();
    let mails = await outboxMessages(runtime);
    const partnerAddresses = runtime.config.partners.map((p) => p.email);
    const toPartner = mails.find((m) => m.to.some((a) => partnerAddresses.includes(a)));
    const replyTo = toPartner?.raw
      .replace(/\r\n[ \t]+/g, ' ')
      .match(/^Reply-To:\s*<?([^\s>]+)>?/im)?.[1];
    for (const [i, p] of PAYLOADS.entries()) {
      if (!replyTo || !toPartner) break;
      await transport.sendMail({
        envelope: { from: toPartner.to[0] ?? '', to: [replyTo] },
        raw: hostileMail(100 + i, p, replyTo).replace(
          /^From: .*$/m,
          `From: =?utf-8?B?${b64(p)}?= <${toPartner.to[0]}>`,
        ),
      });
    }
    transport.close();
    await runtime.smtp.idle();
    mails = await outboxMessages(runtime);

    // Every mail the outbox holds, re-parsed from its bytes.
    const expectedRecipients = new Set([
      STAFF,
      OFFICER,
      ...runtime.config.officers,
      ...runtime.config.partners.map((p) => p.email),
      ...PAYLOADS.map((_, i) => `hi-melder${i}@montfoort.example`),
      ...PAYLOADS.map((_, i) => `hi-antwoord${i}@montfoort.example`),
    ]);
    let extraHeaders = 0;
    let extraRecipients = 0;
    const findings: string[] = [];
    for (const m of mails) {
      const parsed = await PostalMime.parse(m.raw);
      const counts = new Map<string, number>();
      for (const h of parsed.headers) counts.set(h.key, (counts.get(h.key) ?? 0) + 1);
      for (const [key, n] of counts) {
        if (!ALLOWED.has(key) || n > 1) {
          extraHeaders++;
          findings.push(`${m.file}: header ${key} ×${n}`);
        }
      }
      const headerBlock = m.raw.slice(0, m.raw.search(/\r?\n\r?\n/));
      if (/^(bcc|x-injected)\s*:/im.test(headerBlock)) {
        extraHeaders++;
        findings.push(`${m.file}: injected line`);
      }
      const recipients = [...(parsed.to ?? []), ...(parsed.cc ?? []), ...(parsed.bcc ?? [])];
      const addresses = recipients.flatMap((a) =>
        'group' in a && a.group ? a.group.map((g) => g.address) : [a.address],
      );
      if (addresses.length !== 1) {
        extraRecipients += Math.max(1, addresses.length - 1);
        findings.push(`${m.file}: ${addresses.length} recipients`);
      }
      for (const a of addresses) {
        if (!expectedRecipients.has((a ?? '').toLowerCase())) {
          extraRecipients++;
          findings.push(`${m.file}: recipient ${a}`);
        }
      }
    }
    const ok =
      extraHeaders === 0 && extraRecipients === 0 && handover.status === 303 && Boolean(replyTo);
    report(
      'header injection',
      `${PAYLOADS.length} payloads (CRLF, LF, bare CR, U+2028, B/Q encoded words, address lists, a half address) in ${PAYLOADS.length} form posts (${formsAccepted} accepted, ${formsRefused} refused with 400), ${PAYLOADS.length} mails (name, subject, reply-to, file name), 4 handover texts and ${replyTo ? PAYLOADS.length : 0} partner replies; ${mails.length} sent emails re-parsed: ${extraHeaders} extra headers, ${extraRecipients} extra recipients`,
      ok,
    );
    expect(findings).toEqual([]);
    expect(handover.status).toBe(303);
    expect(replyTo).toBeTruthy();
  });
});
