import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileOutbox, outboxReader } from '#adapters/file-outbox.ts';
import { type DevMailbox, devMailRoutes, linkify } from '#forms/routes/dev-mail.tsx';
import { renderEmail } from '#templates/render.ts';

const municipality = 'Gemeente Montfoort';
let root: string;
let app: ReturnType<typeof devMailRoutes>;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'dev-mail-'));
  const dir = join(root, 'outbox');
  const send = (iso: string, id: string, rendered: ReturnType<typeof renderEmail>) =>
    new FileOutbox({
      dir,
      from: 'meldroute@montfoort.example',
      clock: { now: () => new Date(iso) },
    }).send({
      id,
      to: ['jan@montfoort.example'],
      ...rendered,
    });
  await send(
    '2026-05-01T08:00:00Z',
    'login-1',
    renderEmail('login-link', {
      municipality,
      link: 'http://localhost:3000/aanmelden/abc?x=1&y=2',
      minutes: 10,
    }),
  );
  await send(
    '2026-05-02T08:00:00Z',
    'receipt-1',
    renderEmail('receipt', { municipality, reference: 'MH-2026-<script>' }),
  );
  await writeFile(join(root, 'secret.eml'), 'Subject: geheim\r\n\r\ngeheim');
  // The adapter must satisfy the viewer's port without the viewer importing it.
  const mailbox: DevMailbox = outboxReader(dir);
  app = devMailRoutes({ mailbox, municipality });
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('local mail viewer', () => {
  it('lists sent mails newest first with date, recipient and subject', async () => {
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('<html lang="nl">');
    expect(html).toContain('<h1>Verzonden e-mails (alleen lokaal)</h1>');
    expect(html).toContain('href="/static/meldroute.css"');
    expect(html).not.toMatch(/<script|style=/);
    const receipt = html.indexOf('href="/dev/mail/20260502T080000-receipt-1"');
    const login = html.indexOf('href="/dev/mail/20260501T080000-login-1"');
    expect(receipt).toBeGreaterThan(0);
    expect(login).toBeGreaterThan(receipt);
    expect(html).toContain('Ontvangstbevestiging signaal MH-2026-&lt;script&gt;');
    expect(html).toContain('jan@montfoort.example');
  });

  it('shows one mail: its headers and its text with clickable links, escaped', async () => {
    const res = await app.request('/20260501T080000-login-1');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Uw inloglink voor Meldroute');
    expect(html).toContain('meldroute@montfoort.example');
    expect(html).toContain('jan@montfoort.example');
    expect(html).toContain(
      '<a href="http://localhost:3000/aanmelden/abc?x=1&amp;y=2">http://localhost:3000/aanmelden/abc?x=1&amp;y=2</a>',
    );
    expect(html).toContain('Heeft u dit niet aangevraagd?');
    expect(html).not.toContain('<mj-');
    expect(html).not.toContain('<table role="presentation"');

    const other = await (await app.request('/20260502T080000-receipt-1')).text();
    expect(other).toContain('MH-2026-&lt;script&gt;');
    expect(other).not.toContain('<script');
  });

  it('offers the whole message as an .eml download', async () => {
    const res = await app.request('/20260501T080000-login-1.eml');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('message/rfc822');
    expect(res.headers.get('content-disposition')).toBe(
      'attachment; filename="20260501T080000-login-1.eml"',
    );
    const email = await PostalMime.parse(new Uint8Array(await res.arrayBuffer()));
    expect(email.subject).toBe('Uw inloglink voor Meldroute');
  });

  it.each([
    '/..%2Fsecret.eml',
    '/..%2Fsecret',
    '/%2E%2E%2Fsecret.eml',
    '/..%5Csecret.eml',
    '/.sent',
    '/nope.eml',
    '/nope',
  ])('refuses %s with 404', async (path) => {
    const res = await app.request(path);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('geheim');
  });

  it('refuses paths outside the mount', async () => {
    expect((await app.request('/../secret.eml')).status).toBe(404);
    expect((await app.request('/x/../../secret.eml')).status).toBe(404);
  });

  it('says so when nothing was sent yet', async () => {
    const empty = devMailRoutes({ mailbox: outboxReader(join(root, 'none')), municipality });
    expect(await (await empty.request('/')).text()).toContain(
      'Er zijn nog geen e-mails verzonden.',
    );
  });

  it('links only http(s) URLs, without the punctuation that ends a sentence', () => {
    const parts = linkify(
      'Zie https://x.example/a?b=1. Niet javascript:alert(1) of ftp://y.example',
    );
    const links = parts.filter((p) => typeof p !== 'string');
    expect(links).toHaveLength(1);
    expect(String(links[0])).toBe('<a href="https://x.example/a?b=1">https://x.example/a?b=1</a>');
    expect(parts.join('')).toContain('. Niet javascript:alert(1) of ftp://y.example');
  });
});
