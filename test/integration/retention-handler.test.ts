import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncryptionSdkCrypto, kmsKeyring } from '#adapters/crypto/encryption-sdk.ts';
import { DynamoRetentionStore } from '#adapters/dynamo/retention-store.ts';
import { DynamoSignalStore } from '#adapters/dynamo/signal-store.ts';
import { contexts } from '#core/mail/raw-mail.ts';
import { sealJson } from '#core/sealing.ts';
import { submitSignal } from '#core/use-cases/submit-signal.ts';
import { scanAll, testTable } from '../support/dynamo.ts';
import { counterIds, echoRenderer, fixedClock, memoryLogger } from '../support/fakes.ts';
import { exampleConfig } from '../support/reminders.ts';
import { markedSubmission } from '../support/submission.ts';

/**
 * The retention Lambda as AWS runs it: the real composition root, started by
 * the event EventBridge Scheduler sends (the schedule's input, verbatim:
 * `{"job":"retention"}`), against dynalite. S3 (the attachments bucket) is an
 * in-memory bucket behind aws-sdk-client-mock; KMS is mocked with one data
 * key, so the Encryption SDK really seals and opens the raw-mail markers.
 */

const KEY_ARN = 'arn:aws:kms:eu-central-1:111122223333:key/11111111-2222-3333-4444-555555555555';
const BUCKET = 'meldroute-attachments';
const kms = mockClient(KMSClient);
const s3 = mockClient(S3Client);
const dataKey = randomBytes(32);
const saved = { ...process.env };
const enc = new TextEncoder();
const config = exampleConfig();
const context = {
  functionName: 'meldroute-retention',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  getRemainingTimeInMillis: () => 900_000,
};
/** The bucket: key → bytes. */
const objects = new Map<string, Uint8Array>();

let table: Awaited<ReturnType<typeof testTable>>;
const ids: Record<string, string> = {};

function mockAws() {
  kms.reset();
  s3.reset();
  // A fresh copy each call: the Encryption SDK zeroes the plaintext data key after use.
  kms.on(GenerateDataKeyCommand).callsFake(async () => ({
    KeyId: KEY_ARN,
    Plaintext: new Uint8Array(dataKey),
    CiphertextBlob: new Uint8Array(randomBytes(64)),
  }));
  kms
    .on(DecryptCommand)
    .callsFake(async () => ({ KeyId: KEY_ARN, Plaintext: new Uint8Array(dataKey) }));
  const inBucket = (bucket: string) => {
    if (bucket !== BUCKET) throw Object.assign(new Error('AccessDenied'), { name: 'AccessDenied' });
  };
  s3.on(ListObjectsV2Command).callsFake(async (input: { Bucket: string; Prefix?: string }) => {
    inBucket(input.Bucket);
    const keys = [...objects.keys()].filter((k) => k.startsWith(input.Prefix ?? ''));
    return { Contents: keys.map((Key) => ({ Key })), IsTruncated: false };
  });
  s3.on(GetObjectCommand).callsFake(async (input: { Bucket: string; Key: string }) => {
    inBucket(input.Bucket);
    const body = objects.get(input.Key);
    if (!body) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
    return { Body: { transformToByteArray: async () => body } };
  });
  s3.on(DeleteObjectCommand).callsFake(async (input: { Bucket: string; Key: string }) => {
    inBucket(input.Bucket);
    objects.delete(input.Key);
    return {};
  });
}

beforeAll(async () => {
  table = await testTable('meldroute-retention-handler');
  mockAws();
  Object.assign(process.env, {
    MELDROUTE_CONFIG: fileURLToPath(
      new URL('../../config/montfoort.example.json', import.meta.url),
    ),
    TABLE_NAME: table.table,
    DYNAMODB_ENDPOINT: table.endpoint,
    KMS_KEY_ARN: KEY_ARN,
    ATTACHMENTS_BUCKET: BUCKET,
    BASE_URL: 'https://abc123.execute-api.eu-central-1.amazonaws.com',
    AWS_REGION: 'eu-central-1',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  // What the intake leaves in the bucket, sealed the way it seals on AWS (KMS keyring).
  const kmsCrypto = new EncryptionSdkCrypto(kmsKeyring(KEY_ARN));
  const store = new DynamoSignalStore(table.doc, table.table);
  const clock = fixedClock('2020-03-02T09:00:00Z');
  const submit = {
    config,
    store,
    crypto: kmsCrypto,
    clock,
    ids: counterIds(),
    render: echoRenderer,
  };
  // OLDMARK closed in 2020: past five years whenever this test runs. NEWMARK closed yesterday.
  const yesterday = new Date(Date.now() - 86_400_000).toISOString();
  for (const [marker, receivedAt, closedAt] of [
    ['OLDMARK', '2020-03-02T09:00:00Z', '2020-06-01T10:00:00Z'],
    ['NEWMARK', yesterday, yesterday],
  ] as const) {
    clock.set(receivedAt);
    const r = await submitSignal(submit, {
      submission: markedSubmission(marker),
      channel: 'form',
      idempotencyKey: marker,
    });
    ids[marker] = r.signalId;
    const s = await store.get(r.signalId);
    if (!s) throw new Error('stored');
    expect(
      await store.update(
        { ...s, status: 'closed', closedAt, outcome: 'handed_over', version: s.version + 1 },
        s.version,
      ),
    ).toBe(true);
    const rawId = `ses-${marker.toLowerCase()}`;
    objects.set(`attachments/${r.signalId}/att1`, enc.encode(`attachment ${marker}`));
    objects.set(`mail-headers/${r.signalId}`, enc.encode(`headers ${marker}`));
    objects.set(`raw/${rawId}`, enc.encode(`raw ${marker}`));
    objects.set(
      `processed/${rawId}`,
      await sealJson(
        kmsCrypto,
        { kind: 'signal', signalId: r.signalId, at: receivedAt },
        contexts.processed(config.municipality.code, rawId),
      ),
    );
    await table.doc.send(
      new PutCommand({
        TableName: table.table,
        Item: { pk: `BIX#hmac-${marker}`, sk: `SIG#${r.signalId}`, note: marker },
      }),
    );
  }
}, 60_000);

afterAll(async () => {
  process.env = saved;
  await table.close();
});

describe('retention Lambda', () => {
  it('refuses an event that is not its schedule, and changes nothing', async () => {
    const { handler } = await import('#handlers/retention.ts');
    await expect(handler({ job: 'digest' }, context as never)).rejects.toThrow(
      expect.objectContaining({ name: 'UnrecognisedEventError' }),
    );
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  it('erases the closed signal past the retention period from the scheduled event; keeps the recent one', async () => {
    const { handler } = await import('#handlers/retention.ts');
    const r = await handler({ job: 'retention' }, context as never);
    expect(r).toEqual({ erased: 1, cleanedUp: 0, rawMailDeleted: 0 });

    const old = ids.OLDMARK as string;
    const recent = ids.NEWMARK as string;
    // The remnant stays (figures), the signal and every related item are gone.
    const retention = new DynamoRetentionStore(table.doc, table.table);
    expect(await retention.getRemnant(old)).toMatchObject({
      id: old,
      erasedBy: 'system',
      reason: 'retention_expired',
    });
    const store = new DynamoSignalStore(table.doc, table.table);
    expect(await store.get(old)).toBeUndefined();
    expect(await store.get(recent)).toMatchObject({ status: 'closed' });
    const items = JSON.stringify(await scanAll(table.doc, table.table));
    expect(items).not.toContain('OLDMARK');
    expect(items).toContain('NEWMARK');

    // S3: the old signal's attachment, headers and raw mail deleted in our bucket, nothing of the recent one.
    const deleted = s3.commandCalls(DeleteObjectCommand).map((c) => c.args[0].input);
    expect(deleted.every((d) => d.Bucket === BUCKET)).toBe(true);
    expect(deleted.map((d) => d.Key).sort()).toEqual(
      [
        `attachments/${old}/att1`,
        `mail-headers/${old}`,
        'processed/ses-oldmark',
        'raw/ses-oldmark',
      ].sort(),
    );
    expect([...objects.keys()].sort()).toEqual(
      [
        `attachments/${recent}/att1`,
        `mail-headers/${recent}`,
        'processed/ses-newmark',
        'raw/ses-newmark',
      ].sort(),
    );
    // Retention opens only raw-mail outcome markers and seals nothing.
    const parts = kms
      .commandCalls(DecryptCommand)
      .map((c) => c.args[0].input.EncryptionContext?.part);
    expect(parts.length).toBeGreaterThan(0);
    expect(new Set(parts)).toEqual(new Set(['raw-mail-outcome']));
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('logs counts only, and a second run finds nothing to do', async () => {
    const { main, retentionDeps } = await import('#handlers/retention.ts');
    const logger = memoryLogger();
    const deps = { ...retentionDeps({ logger }), clock: fixedClock('2026-01-02T02:15:00Z') };
    expect(await main({ job: 'retention' }, deps)).toEqual({
      erased: 0,
      cleanedUp: 0,
      rawMailDeleted: 0,
    });
    expect(logger.lines).toEqual([
      JSON.stringify({
        level: 'info',
        message: 'retention run',
        erased: 0,
        cleanedUp: 0,
        rawMailDeleted: 0,
      }),
    ]);
  });
});
