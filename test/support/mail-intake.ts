import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { FileBlobStore } from '#adapters/blob/file-blob-store.ts';
import { HmacReplyTokens } from '#adapters/crypto/hmac-reply-tokens.ts';
import { DynamoSignalDirectory } from '#adapters/dynamo/signal-directory.ts';
import { DynamoSignalStore } from '#adapters/dynamo/signal-store.ts';
import { PostalMimeParser } from '#adapters/mail/postal-mime-parser.ts';
import { parseConfig } from '#core/config.ts';
import { blobKeys, contexts } from '#core/mail/raw-mail.ts';
import type { OutgoingEmail } from '#core/ports.ts';
import { mailContext, openJson } from '#core/sealing.ts';
import {
  type ContentPart,
  ContentPartSchema,
  type ReporterPart,
  ReporterPartSchema,
} from '#core/signal.ts';
import { type IntakeDeps, type IntakeInput, intakeRawMail } from '#core/use-cases/intake-mail.ts';
import { emailRenderer } from '#templates/render.ts';
import { testTable } from './dynamo.ts';
import { counterIds, fixedClock, memoryLogger, testCrypto } from './fakes.ts';

export const exampleConfig = parseConfig(
  JSON.parse(readFileSync('config/montfoort.example.json', 'utf8')),
);

/**
 * The mail intake against a real dynalite table, a temp FileBlobStore, the
 * real parser and the real email templates; mails sent directly (quarantine
 * notices) are captured, queued ones are read back from the signal item.
 */
export async function mailIntakeHarness() {
  const t = await testTable();
  const dir = await mkdtemp(join(tmpdir(), 'meldroute-mail-'));
  const blobs = new FileBlobStore(join(dir, 'blobs'));
  const crypto = testCrypto();
  const store = new DynamoSignalStore(t.doc, t.table);
  const logger = memoryLogger();
  const sentDirectly: OutgoingEmail[] = [];
  const config = exampleConfig;
  const municipality = config.municipality.code;
  const parser = new PostalMimeParser();
  const deps: IntakeDeps = {
    config,
    store,
    crypto,
    clock: fixedClock('2026-03-02T09:00:00Z'),
    ids: counterIds(),
    render: emailRenderer,
    blobs,
    parser,
    mailer: { send: async (m) => void sentDirectly.push(m) },
    logger,
    replyTokens: new HmacReplyTokens(randomBytes(32)),
    directory: new DynamoSignalDirectory(t.doc, t.table),
  };
  let n = 0;

  /** Stores raw bytes as the SMTP intake does (sealed), then runs the intake on them. */
  async function storeRaw(raw: Uint8Array | string): Promise<string> {
    const rawId = `t${String(++n).padStart(8, '0')}`;
    const bytes = typeof raw === 'string' ? new TextEncoder().encode(raw) : raw;
    await blobs.put(
      blobKeys.raw(rawId),
      await crypto.encrypt(bytes, contexts.raw(municipality, rawId)),
    );
    return blobKeys.raw(rawId);
  }

  async function deliver(raw: Uint8Array | string, input: Partial<IntakeInput> = {}) {
    const rawKey = await storeRaw(raw);
    return intakeRawMail(deps, { rawKey, receivedVia: 'smtp', ...input });
  }

  /** Mails queued on a signal item (receipts, notices, replies), decrypted. */
  async function queuedMails(signalId: string): Promise<OutgoingEmail[]> {
    const r = await t.doc.send(
      new GetCommand({ TableName: t.table, Key: { pk: `SIG#${signalId}`, sk: 'A' } }),
    );
    const mails = (r.Item?.mails ?? {}) as Record<string, { c: Uint8Array }>;
    const out: OutgoingEmail[] = [];
    for (const m of Object.values(mails)) {
      out.push(
        (await openJson(
          crypto,
          m.c,
          mailContext(municipality, signalId),
          Mailish,
        )) as OutgoingEmail,
      );
    }
    return out;
  }

  async function opened(
    signalId: string,
  ): Promise<{ reporter: ReporterPart; content: ContentPart }> {
    const s = await store.get(signalId);
    if (!s) throw new Error(`no signal ${signalId}`);
    return {
      reporter: await openJson(
        crypto,
        s.reporterCipher,
        { municipality, signalId, part: 'reporter' },
        ReporterPartSchema,
      ),
      content: await openJson(
        crypto,
        s.contentCipher,
        { municipality, signalId, part: 'content' },
        ContentPartSchema,
      ),
    };
  }

  return {
    deps,
    t,
    blobs,
    store,
    crypto,
    logger,
    sentDirectly,
    storeRaw,
    deliver,
    queuedMails,
    opened,
    async close() {
      await parser.close();
      await t.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const Mailish = z.object({
  id: z.string(),
  to: z.array(z.string()),
  subject: z.string(),
  text: z.string(),
  html: z.string(),
  replyTo: z.optional(z.string()),
  headers: z.optional(z.record(z.string(), z.string())),
});

/** A plain message as a mail program would send it. */
export function plainMail(o: {
  from: string;
  subject?: string;
  body?: string;
  to?: string;
  messageId?: string;
  headers?: string[];
}): string {
  return [
    `From: ${o.from}`,
    `To: ${o.to ?? exampleConfig.mailbox}`,
    `Subject: ${o.subject ?? 'Signaal'}`,
    `Message-ID: <${o.messageId ?? `${randomBytes(6).toString('hex')}@test.example`}>`,
    'Date: Mon, 2 Mar 2026 10:00:00 +0100',
    'MIME-Version: 1.0',
    ...(o.headers ?? []),
    'Content-Type: text/plain; charset=utf-8',
    '',
    o.body ?? 'Ik zag iets op de werkplek.',
    '',
  ].join('\r\n');
}
