import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '#core/ports.ts';
import { ADDITION_EVENT } from '#core/use-cases/append-reporter-addition.ts';
import type { AppEnv } from '#forms/http/context.ts';
import { PageError } from '#forms/http/page-error.ts';
import {
  contentDisposition,
  type MailViewDeps,
  mailViewRoutes,
} from '#forms/routes/mail-views.tsx';
import { mailIntakeHarness, plainMail } from '../support/mail-intake.ts';

const OFFICER = 'aandachtsfunctionaris@montfoort.example';

function session(email: string, role: Session['role']): Session {
  const at = '2026-03-02T09:00:00.000Z';
  return { idHash: 'h', email, role, csrfSecret: 'c'.repeat(32), createdAt: at, lastSeenAt: at };
}

describe('the officer views of mailed signals', () => {
  let h: Awaited<ReturnType<typeof mailIntakeHarness>>;
  let pdfSignal = '';
  let lyingSignal = '';

  /** The routes as the app mounts them, with whoever is signed in. */
  function app(who?: Session) {
    const deps = { ...h.deps, blobs: h.blobs } as unknown as MailViewDeps;
    const a = new Hono<AppEnv>();
    a.use(async (c, next) => {
      if (who) c.set('session', who);
      c.set('csrfToken', 'c'.repeat(32));
      await next();
    });
    a.route('/', mailViewRoutes(deps));
    a.onError((err, c) => c.text(err.message, err instanceof PageError ? err.status : 500));
    return a;
  }
  const officer = () => app(session(OFFICER, 'officer'));

  beforeAll(async () => {
    h = await mailIntakeHarness();
    const pdf = await h.deliver(
      readFileSync('../shared/mail-corpus/pdf-attachment-8bit-in-headers-crlf.eml'),
    );
    const lying = await h.deliver(readFileSync('test/fixtures/mail/lying-content-type.eml'));
    if (pdf.kind !== 'signal' || lying.kind !== 'signal')
      throw new Error('fixtures did not make signals');
    pdfSignal = pdf.signalId;
    lyingSignal = lying.signalId;
  });
  afterAll(() => h?.close());

  it('lets an officer download an attachment, as a download, and records it', async () => {
    const res = await officer().request(`/inbox/${pdfSignal}/bijlagen/a1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="broken.pdf"; filename*=UTF-8''broken.pdf`,
    );
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const audit = await h.store.listAudit(pdfSignal);
    expect(audit).toContainEqual(
      expect.objectContaining({ type: 'attachment_downloaded', actor: OFFICER, detail: 'a1' }),
    );
  });

  it('serves an attachment whose declared type lies as application/octet-stream', async () => {
    const res = await officer().request(`/inbox/${lyingSignal}/bijlagen/a1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-security-policy')).toContain('sandbox');
  });

  it('finds nothing for unknown ids or ids of another signal', async () => {
    expect((await officer().request(`/inbox/${pdfSignal}/bijlagen/a9`)).status).toBe(404);
    expect((await officer().request(`/inbox/${pdfSignal}/bijlagen/..%2F..%2Fraw`)).status).toBe(
      404,
    );
    expect((await officer().request('/inbox/0000000000000000/bijlagen/a1')).status).toBe(404);
  });

  it('keeps staff and anonymous visitors out', async () => {
    expect(
      (
        await app(session('jan@montfoort.example', 'staff')).request(
          `/inbox/${pdfSignal}/bijlagen/a1`,
        )
      ).status,
    ).toBe(403);
    const anonymous = await app().request(`/inbox/${pdfSignal}/kopregels`);
    expect(anonymous.status).toBe(303);
  });

  it('shows the original headers as escaped text, and records the view', async () => {
    const o = await h.deliver(
      plainMail({ from: 'jan@montfoort.example', headers: ['X-Evil: <script>alert(1)</script>'] }),
    );
    if (o.kind !== 'signal') throw new Error(o.kind);
    const res = await officer().request(`/inbox/${o.signalId}/kopregels`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('x-evil: &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect((await h.store.listAudit(o.signalId)).map((a) => a.type)).toContain('headers_viewed');
  });

  it('shows a reporter addition with its attachments', async () => {
    const first = await h.deliver(plainMail({ from: 'melder@montfoort.example' }));
    if (first.kind !== 'signal') throw new Error(first.kind);
    const replyTo = (await h.queuedMails(first.signalId)).find((m) => m.replyTo)?.replyTo ?? '';
    const reply = readFileSync('test/fixtures/mail/lying-content-type.eml', 'latin1')
      .replace(/^From: .*$/m, 'From: melder@montfoort.example')
      .replace(/^To: .*$/m, `To: ${replyTo}`)
      .replace(/^Message-ID: .*$/m, 'Message-ID: <reply-1@montfoort.example>');
    expect((await h.deliver(reply)).kind).toBe('reply-attached');
    const additionId =
      (await h.store.get(first.signalId))?.events.find((e) => e.type === ADDITION_EVENT)?.detail ??
      '';
    const page = await officer().request(`/inbox/${first.signalId}/aanvullingen/${additionId}`);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('In de bijlage de plattegrond van de loods.');
    expect(html).toContain(`/inbox/${first.signalId}/bijlagen/${additionId}-a1`);
    const download = await officer().request(`/inbox/${first.signalId}/bijlagen/${additionId}-a1`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/octet-stream');
  });

  it('encodes any file name safely for Content-Disposition', () => {
    expect(contentDisposition('rapport "mei".pdf')).toBe(
      `attachment; filename="rapport _mei_.pdf"; filename*=UTF-8''rapport%20%22mei%22.pdf`,
    );
    expect(contentDisposition('één.pdf')).toBe(
      `attachment; filename="__n.pdf"; filename*=UTF-8''%C3%A9%C3%A9n.pdf`,
    );
  });
});
