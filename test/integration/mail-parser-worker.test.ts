import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ParseTimeoutError, PostalMimeParser } from '#adapters/mail/postal-mime-parser.ts';

const run = promisify(execFile);
const encode = (s: string) => new TextEncoder().encode(s);

/** A message with its own subject and one attachment whose bytes say who it belongs to. */
function mail(n: number): Uint8Array {
  return encode(
    [
      'From: jan@montfoort.example',
      'To: meldpunt@montfoort.example',
      `Subject: Melding ${n}`,
      `Message-ID: <m${n}@test.example>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="grens"',
      '',
      '--grens',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Tekst van melding ${n}.`,
      '--grens',
      `Content-Type: application/octet-stream; name="bijlage-${n}.bin"`,
      'Content-Disposition: attachment',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(`inhoud ${n} `.repeat(1000)).toString('base64'),
      '--grens--',
      '',
    ].join('\r\n'),
  );
}

type Parsed = {
  subject?: string;
  text?: string;
  attachments: Array<{ filename: string | null; content: Uint8Array }>;
};
const parsed = (m: unknown) => m as Parsed;

function expectMessage(m: unknown, n: number) {
  const p = parsed(m);
  expect(p.subject).toBe(`Melding ${n}`);
  expect(p.text?.trim()).toBe(`Tekst van melding ${n}.`);
  expect(p.attachments).toHaveLength(1);
  expect(p.attachments[0]?.filename).toBe(`bijlage-${n}.bin`);
  expect(Buffer.from(p.attachments[0]?.content ?? []).toString()).toBe(`inhoud ${n} `.repeat(1000));
}

/**
 * A plain-text body of many short lines: postal-mime takes seconds over it
 * (tens of MB/s at best), far beyond the time boxes below, and its decoded
 * text does not fit a 16 MB heap.
 */
const heavy = (mb: number) =>
  encode(
    `From: jan@montfoort.example\r\nSubject: zwaar\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n${'Een regel tekst die lang genoeg is.\r\n'.repeat((mb * 1024 * 1024) / 37)}`,
  );

describe('the mail parser worker', () => {
  const parsers: PostalMimeParser[] = [];
  const parser = (o: ConstructorParameters<typeof PostalMimeParser>[0] = {}) => {
    const p = new PostalMimeParser(o);
    parsers.push(p);
    return p;
  };
  afterEach(async () => {
    for (const p of parsers.splice(0)) await p.close();
  });

  it('parses many messages in a row on one worker, leaving the caller its bytes', async () => {
    const p = parser();
    for (let n = 0; n < 25; n++) {
      const raw = mail(n);
      const copy = Buffer.from(raw);
      expectMessage(await p.parse(raw), n);
      expect(copy.equals(raw)).toBe(true);
    }
    expect(p.workersStarted).toBe(1);
  });

  it('gives every one of many simultaneous calls its own message', async () => {
    const p = parser();
    const ns = Array.from({ length: 20 }, (_, n) => n);
    const results = await Promise.all(ns.map((n) => p.parse(mail(n))));
    for (const [n, m] of results.entries()) expectMessage(m, n);
    expect(p.workersStarted).toBe(1);
  });

  it('fails a message over the time box alone; the ones queued behind it parse on a fresh worker', async () => {
    const p = parser({ timeoutMs: 2000 });
    expectMessage(await p.parse(mail(0)), 0);
    const slow = p.parse(heavy(48));
    const behind = [1, 2, 3].map((n) => p.parse(mail(n)));
    await expect(slow).rejects.toBeInstanceOf(ParseTimeoutError);
    for (const [i, m] of (await Promise.all(behind)).entries()) expectMessage(m, i + 1);
    expect(p.workersStarted).toBe(2);
    expectMessage(await p.parse(mail(4)), 4);
    expect(p.workersStarted).toBe(2);
  });

  it('fails only the message that ran the worker out of memory; the next gets a fresh worker', async () => {
    const p = parser({ maxMemoryMb: 16 });
    expectMessage(await p.parse(mail(0)), 0);
    const [killer, next] = [p.parse(heavy(32)), p.parse(mail(1))];
    await expect(killer).rejects.toMatchObject({ code: 'ERR_WORKER_OUT_OF_MEMORY' });
    expectMessage(await next, 1);
    expect(p.workersStarted).toBe(2);
  });

  it('reports a message postal-mime refuses as that message’s failure, on the same worker', async () => {
    const p = parser({ maxHeadersSize: 1000 });
    const tooManyHeaders = encode(
      `From: jan@montfoort.example\r\n${'X-Extra: waarde\r\n'.repeat(200)}\r\nhoi\r\n`,
    );
    const [bad, good] = [p.parse(tooManyHeaders), p.parse(mail(1))];
    await expect(bad).rejects.toThrow(/header size/i);
    expectMessage(await good, 1);
    expect(p.workersStarted).toBe(1);
  });

  it('lets close() finish the messages handed in, and starts a new worker when used again', async () => {
    const p = parser();
    const pending = p.parse(mail(1));
    await p.close();
    expectMessage(await pending, 1);
    expectMessage(await p.parse(mail(2)), 2);
    expect(p.workersStarted).toBe(2);
  });

  it('does not keep the process alive once idle, even without close()', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meldroute-parser-'));
    try {
      const script = join(dir, 'idle.mts');
      const module = pathToFileURL(resolve('functions/adapters/mail/postal-mime-parser.ts')).href;
      await writeFile(
        script,
        [
          `import { PostalMimeParser } from ${JSON.stringify(module)};`,
          'const p = new PostalMimeParser();',
          `const m = await p.parse(new TextEncoder().encode('From: a@b.example\\r\\nSubject: stil\\r\\n\\r\\nhoi\\r\\n'));`,
          "process.stdout.write([m.subject, p.workersStarted].join(' '));",
        ].join('\n'),
      );
      const { stdout } = await run(process.execPath, ['--import', 'tsx', script], {
        timeout: 20_000,
      });
      expect(stdout).toBe('stil 1');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('parses in-process for Lambda, with no worker at all', async () => {
    const p = parser({ isolation: 'inline' });
    expectMessage(await p.parse(mail(7)), 7);
    expect(p.workersStarted).toBe(0);
  });
});
