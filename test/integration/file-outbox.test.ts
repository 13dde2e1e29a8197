import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileOutbox, listOutbox, readOutboxMessage } from '#adapters/file-outbox.ts';
import type { OutgoingEmail } from '#core/ports.ts';
import { renderEmail } from '#templates/render.ts';

const FROM = 'meldroute@montfoort.example';
const at = (iso: string) => ({ now: () => new Date(iso) });

function mail(id: string, to = 'melder@montfoort.example'): OutgoingEmail {
  const r = renderEmail('receipt', {
    municipality: 'Gemeente Montfoort',
    reference: 'MH-2026-0007',
  });
  return { id, to: [to], ...r, headers: { 'Auto-Submitted': 'auto-generated' } };
}

let root: string;
let dir: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'outbox-'));
  dir = join(root, 'var', 'outbox');
});
afterEach(() => rm(root, { recursive: true, force: true }));

const emlFiles = async () => (await readdir(dir)).filter((f) => f.endsWith('.eml'));

describe('file outbox', () => {
  it('writes one parseable multipart message named by time and mail id', async () => {
    const outbox = new FileOutbox({ dir, from: FROM, clock: at('2026-03-01T09:08:07.123Z') });
    await outbox.send(mail('01JSIGNAL-receipt'));

    expect(await emlFiles()).toEqual(['20260301T090807-01JSIGNAL-receipt.eml']);
    const raw = await readFile(join(dir, '20260301T090807-01JSIGNAL-receipt.eml'));
    const email = await PostalMime.parse(raw);
    expect(email.from?.address).toBe(FROM);
    expect(email.to?.map((a) => ('address' in a ? a.address : ''))).toEqual([
      'melder@montfoort.example',
    ]);
    expect(email.subject).toBe('Ontvangstbevestiging signaal MH-2026-0007');
    expect(email.messageId).toBe('<01JSIGNAL-receipt@montfoort.example>');
    expect(new Date(email.date ?? '').toISOString()).toBe('2026-03-01T09:08:07.000Z');
    expect(email.text).toContain('Uw naam blijft bij de aandachtsfunctionaris.');
    expect(email.html).toContain('<strong>MH-2026-0007</strong>');
    const header = (key: string) => email.headers.find((h) => h.key === key)?.value;
    expect(header('auto-submitted')).toBe('auto-generated');
    expect(header('content-type')).toMatch(/^multipart\/alternative/);
  });

  it('keeps messages private: files 0600 in a 0700 folder', async () => {
    await new FileOutbox({ dir, from: FROM }).send(mail('m1'));
    const [file] = await emlFiles();
    expect((await stat(join(dir, file ?? ''))).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('writes nothing when the same mail id is sent again, even later', async () => {
    await new FileOutbox({ dir, from: FROM, clock: at('2026-03-01T09:00:00Z') }).send(mail('m1'));
    const first = await readFile(join(dir, (await emlFiles())[0] ?? ''));
    await new FileOutbox({ dir, from: FROM, clock: at('2026-03-01T10:00:00Z') }).send(mail('m1'));
    const files = await emlFiles();
    expect(files).toEqual(['20260301T090000-m1.eml']);
    expect(await readFile(join(dir, files[0] ?? ''))).toEqual(first);
  });

  it('writes one file when the same mail is sent twice at once', async () => {
    const outbox = new FileOutbox({ dir, from: FROM });
    await Promise.all([
      outbox.send(mail('same')),
      outbox.send(mail('same')),
      outbox.send(mail('other')),
    ]);
    expect((await emlFiles()).map((f) => f.replace(/^\d{8}T\d{6}-/, '')).sort()).toEqual([
      'other.eml',
      'same.eml',
    ]);
  });

  it('completes a send that crashed after claiming the id, under the claimed name', async () => {
    await mkdir(join(dir, '.sent'), { recursive: true });
    await writeFile(join(dir, '.sent', 'm2'), '20260301T080000-m2.eml');
    await new FileOutbox({ dir, from: FROM, clock: at('2026-03-01T09:00:00Z') }).send(mail('m2'));
    expect(await emlFiles()).toEqual(['20260301T080000-m2.eml']);
  });

  it('turns an id with unsafe characters into a safe file name', async () => {
    await new FileOutbox({ dir, from: FROM }).send(mail('../../etc/passwd'));
    const [file] = await emlFiles();
    expect(file).toMatch(/^\d{8}T\d{6}-h[0-9a-f]{64}\.eml$/);
    expect(await readdir(root)).toEqual(['var']);
  });

  it('lists messages newest first and reads one back', async () => {
    await new FileOutbox({ dir, from: FROM, clock: at('2026-03-01T09:00:00Z') }).send(mail('a'));
    await new FileOutbox({ dir, from: FROM, clock: at('2026-03-02T09:00:00Z') }).send(
      mail('b', 'af@montfoort.example'),
    );
    const list = await listOutbox(dir);
    expect(list.map((e) => [e.file, e.to])).toEqual([
      ['20260302T090000-b.eml', 'af@montfoort.example'],
      ['20260301T090000-a.eml', 'melder@montfoort.example'],
    ]);
    const message = await readOutboxMessage(dir, '20260301T090000-a.eml');
    expect(message?.subject).toBe('Ontvangstbevestiging signaal MH-2026-0007');
    expect(message?.text).toContain('MH-2026-0007');
  });

  it('reads only message files that are in the outbox', async () => {
    await new FileOutbox({ dir, from: FROM }).send(mail('a'));
    await writeFile(join(root, 'secret.eml'), 'Subject: no\r\n\r\nno');
    for (const name of [
      '../secret.eml',
      '..%2Fsecret.eml',
      '.sent',
      'missing.eml',
      '/etc/passwd',
    ]) {
      expect(await readOutboxMessage(dir, name)).toBeUndefined();
    }
    expect(await listOutbox(join(root, 'nowhere'))).toEqual([]);
  });
});
