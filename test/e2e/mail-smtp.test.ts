import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncryptionSdkCrypto, rawAesKeyring } from '#adapters/crypto/encryption-sdk.ts';
import { SignalKeyCrypto } from '#adapters/crypto/signal-keys.ts';
import { DynamoSignalKeyStore } from '#adapters/dynamo/signal-key-store.ts';
import { DynamoSignalStore } from '#adapters/dynamo/signal-store.ts';
import { loadOrCreateKey } from '#adapters/local/key-file.ts';
import type { Crypto } from '#core/ports.ts';
import { openJson } from '#core/sealing.ts';
import { ContentPartSchema, ReporterPartSchema } from '#core/signal.ts';
import { testTable } from '../support/dynamo.ts';
import { outboxMessages, startTestRuntime } from '../support/local.ts';

const SWAKS = '/usr/bin/swaks';
const run = promisify(execFile);

/** A small but real PDF (what a staff member attaches). */
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

describe('mailing the mailbox of a running Meldroute over real SMTP', () => {
  let table: Awaited<ReturnType<typeof testTable>>;
  let t: Awaited<ReturnType<typeof startTestRuntime>>;
  let store: DynamoSignalStore;
  let crypto: Crypto;

  beforeAll(async () => {
    table = await testTable('meldroute-mail-e2e');
    t = await startTestRuntime({ dynamoEndpoint: table.endpoint, tableName: table.table });
    store = new DynamoSignalStore(table.doc, table.table);
    // The runtime's own key file and signal keys: the test reads the signal as the officer's app would.
    crypto = new SignalKeyCrypto(
      new EncryptionSdkCrypto(
        rawAesKeyring(await loadOrCreateKey(join(t.dataDir, 'keys', 'data-encryption.key'))),
      ),
      new DynamoSignalKeyStore(table.doc, table.table),
    );
  });
  afterAll(async () => {
    await t?.close();
    await table?.close();
  });

  /** Waits until the intake has made a signal from this sender. */
  async function signalFrom(email: string) {
    const municipality = t.runtime.config.municipality.code;
    for (let i = 0; i < 100; i++) {
      await t.runtime.smtp.idle();
      for (const s of (await store.list({ limit: 50 })).items) {
        const record = await store.get(s.id);
        if (!record) continue;
        const reporter = await openJson(
          crypto,
          record.reporterCipher,
          { municipality, signalId: s.id, part: 'reporter' },
          ReporterPartSchema,
        );
        if (reporter.email !== email) continue;
        const content = await openJson(
          crypto,
          record.contentCipher,
          { municipality, signalId: s.id, part: 'content' },
          ContentPartSchema,
        );
        return { record, reporter, content };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('no signal appeared');
  }

  async function receiptTo(email: string, reference: string) {
    for (let i = 0; i < 50; i++) {
      const receipt = (await outboxMessages(t.runtime)).find(
        (m) => m.to.includes(email) && m.subject.includes(reference),
      );
      if (receipt) return receipt;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('no receipt in the outbox');
  }

  it('turns a mail with a PDF sent by nodemailer into a signal with the PDF listed, and mails a receipt', async () => {
    const { host, port } = t.runtime.smtp;
    const info = await nodemailer
      .createTransport({ host, port, secure: false, ignoreTLS: true })
      .sendMail({
        from: 'Sanne Bakker <s.bakker@montfoort.example>',
        to: t.runtime.config.mailbox,
        subject: 'Signaal: meisje bij nagelstudio',
        text: 'Een meisje van een jaar of 16 werkt elke dag tot laat in de nagelstudio.',
        attachments: [{ filename: 'notitie.pdf', content: PDF, contentType: 'application/pdf' }],
      });
    expect(info.response).toMatch(/^250 /);

    const { record, reporter, content } = await signalFrom('s.bakker@montfoort.example');
    expect(record).toMatchObject({ channel: 'email', status: 'received' });
    expect(reporter.external).toBe(false);
    expect(content.subject).toBe('Signaal: meisje bij nagelstudio');
    expect(content.observed).toContain('nagelstudio');
    expect(content.attachments).toEqual([
      { id: 'a1', filename: 'notitie.pdf', contentType: 'application/pdf', size: PDF.length },
    ]);

    const receipt = await receiptTo('s.bakker@montfoort.example', record.reference);
    expect(receipt.text).toContain('/melden');
    expect(receipt.text).not.toContain('nagelstudio');
    expect(receipt.raw).toMatch(/Reply-To:\s+meldpunt-mensenhandel\+[a-z2-7]+@montfoort\.example/i);
  });

  it('accepts a mail sent with swaks (Debian), as a new user would try it', async () => {
    if (!existsSync(SWAKS)) {
      // In CI swaks is installed by .ci/run; its absence there is a failure, not a skip.
      expect(process.env.CI === 'true' ? 'swaks missing' : 'not in CI').toBe('not in CI');
      return;
    }
    const pdf = join(t.dataDir, 'verslag.pdf');
    await writeFile(pdf, PDF);
    const { host, port } = t.runtime.smtp;
    const { stdout } = await run(SWAKS, [
      '--server',
      `${host}:${port}`,
      '--to',
      t.runtime.config.mailbox,
      '--from',
      'wijkagent@montfoort.example',
      '--header',
      'Subject: Signaal via swaks',
      '--body',
      'Bij de loods aan de Industrieweg slapen mensen in containers.',
      '--attach-type',
      'application/pdf',
      '--attach',
      `@${pdf}`,
    ]);
    expect(stdout).toMatch(/<- {2}250 /);
    const { record, content } = await signalFrom('wijkagent@montfoort.example');
    expect(content.observed).toContain('Industrieweg');
    expect(content.attachments?.[0]).toMatchObject({
      filename: 'verslag.pdf',
      contentType: 'application/pdf',
    });
    await receiptTo('wijkagent@montfoort.example', record.reference);
  });
});
