import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBlobStore } from '#adapters/blob/file-blob-store.ts';
import { type SmtpIntake, startSmtpIntake } from '#adapters/mail/smtp-intake.ts';
import { parseConfig } from '#core/config.ts';
import { contexts, rawIdFromKey } from '#core/mail/raw-mail.ts';
import type { BlobStore } from '#core/ports.ts';
import { counterIds, memoryLogger, testCrypto } from '../support/fakes.ts';
import { exampleConfig } from '../support/mail-intake.ts';

const config = parseConfig({
  ...JSON.parse(JSON.stringify(exampleConfig)),
  limits: { maxMessageBytes: 50_000 },
});
const crypto = testCrypto();

function transport(port: number) {
  return nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
}

async function start(blobs: BlobStore, stored: string[]) {
  return startSmtpIntake({
    port: 0,
    host: '127.0.0.1',
    config,
    blobs,
    crypto,
    ids: counterIds(),
    logger: memoryLogger(),
    onStored: (key) => stored.push(key),
  });
}

describe('the SMTP intake', () => {
  let dir: string;
  let blobs: FileBlobStore;
  let smtp: SmtpIntake;
  const stored: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meldroute-smtp-'));
    blobs = new FileBlobStore(dir);
    smtp = await start(blobs, stored);
  });
  afterAll(async () => {
    await smtp.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores the message sealed before it answers 250, then hands it on', async () => {
    const info = await transport(smtp.port).sendMail({
      from: 'jan@montfoort.example',
      to: 'meldpunt-mensenhandel+abc@montfoort.example',
      subject: 'Signaal',
      text: 'Geheime inhoud ZQX42',
    });
    expect(info.response).toMatch(/^250 /);
    const key = info.response.match(/opgeslagen als (\S+)/)?.[1];
    const sealed = await blobs.get(`raw/${key}`);
    expect(sealed).toBeDefined();
    expect(Buffer.from(sealed ?? []).toString('latin1')).not.toContain('ZQX42');
    const raw = new TextDecoder().decode(
      await crypto.decrypt(
        sealed ?? new Uint8Array(),
        contexts.raw(config.municipality.code, key ?? ''),
      ),
    );
    expect(raw).toMatch(
      /^Return-Path: <jan@montfoort\.example>\r\nDelivered-To: meldpunt-mensenhandel\+abc@/,
    );
    expect(raw).toContain('ZQX42');
    await new Promise((r) => setTimeout(r, 20));
    expect(stored.map(rawIdFromKey)).toContain(key);
  });

  it('refuses other recipients at RCPT with 550', async () => {
    const err = await transport(smtp.port)
      .sendMail({ from: 'jan@montfoort.example', to: 'iemand@montfoort.example', text: 'x' })
      .catch(
        (e: { responseCode?: number; rejectedErrors?: Array<{ responseCode?: number }> }) => e,
      );
    expect(
      (err as { rejectedErrors?: Array<{ responseCode?: number }> }).rejectedErrors?.[0]
        ?.responseCode,
    ).toBe(550);
  });

  it('refuses a message over the size limit with 552 and keeps nothing of it', async () => {
    const before = (await blobs.list('raw/')).length;
    const err = await transport(smtp.port)
      .sendMail({ from: 'jan@montfoort.example', to: config.mailbox, text: 'x'.repeat(80_000) })
      .catch((e: { responseCode?: number }) => e);
    expect((err as { responseCode?: number }).responseCode).toBe(552);
    expect((await blobs.list('raw/')).length).toBe(before);
  });

  it('reports a port that is taken instead of crashing the process', async () => {
    await expect(
      startSmtpIntake({
        port: smtp.port,
        host: '127.0.0.1',
        config,
        blobs,
        crypto,
        ids: counterIds(),
        logger: memoryLogger(),
        onStored: () => undefined,
      }),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('answers 451 when the message cannot be stored, so the sender retries', async () => {
    const failing: BlobStore = {
      put: async () => Promise.reject(new Error('disk full')),
      get: (k) => blobs.get(k),
      delete: (k) => blobs.delete(k),
      list: (p) => blobs.list(p),
    };
    const handedOn: string[] = [];
    const broken = await start(failing, handedOn);
    try {
      const err = await transport(broken.port)
        .sendMail({ from: 'jan@montfoort.example', to: config.mailbox, text: 'x' })
        .catch((e: { responseCode?: number }) => e);
      expect((err as { responseCode?: number }).responseCode).toBe(451);
      expect(handedOn).toEqual([]);
    } finally {
      await broken.close();
    }
  });
});
