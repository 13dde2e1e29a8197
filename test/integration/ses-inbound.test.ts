import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rawAesKeyring } from '#adapters/crypto/encryption-sdk.ts';
import { DynamoSignalStore } from '#adapters/dynamo/signal-store.ts';
import { main, type SesInboundDeps, sesInboundDeps } from '#handlers/ses-inbound.ts';
import { UnrecognisedEventError } from '#handlers/shared/ses-inbound-event.ts';
import { readAwsExample } from '../support/aws-doc-json.ts';
import { testTable } from '../support/dynamo.ts';
import { memoryLogger } from '../support/fakes.ts';
import { plainMail } from '../support/mail-intake.ts';

/**
 * Contract tests: the real-shaped SES receipt events from the shared corpus
 * (read in place) into the handler, against dynalite, with S3 and SES mocked.
 */
const EVENTS = join(process.cwd(), '..', 'shared', 'mail-corpus', 'ses-events');
const BUCKET = 'my-S3-bucket';

const s3 = mockClient(S3Client);
const ses = mockClient(SESv2Client);
/** The raw-mail bucket (what SES wrote) and the attachments bucket (what we wrote). */
const rawMail = new Map<string, Uint8Array>();
const written = new Map<string, { body: Uint8Array; sse?: string }>();

const staffMail = (id: string) =>
  plainMail({
    from: 'Jan Smit <jan@montfoort.example>',
    messageId: `${id}@montfoort.example`,
    body: 'Signaal via SES, met inhoud ZQX-SES.',
  });

describe('the SES inbound handler', () => {
  let table: Awaited<ReturnType<typeof testTable>>;
  let deps: SesInboundDeps;
  let store: DynamoSignalStore;
  const logger = memoryLogger();

  beforeAll(async () => {
    table = await testTable('meldroute-ses');
    store = new DynamoSignalStore(table.doc, table.table);
    deps = await sesInboundDeps({
      env: {
        MELDROUTE_CONFIG: join(process.cwd(), 'config/montfoort.example.json'),
        TABLE_NAME: table.table,
        DYNAMODB_ENDPOINT: table.endpoint,
        RAW_MAIL_BUCKET: BUCKET,
        RAW_MAIL_PREFIX: '',
        ATTACHMENTS_BUCKET: 'attachments',
      },
      keyring: rawAesKeyring(randomBytes(32)),
      replyTokenKey: randomBytes(32),
      logger,
    });
  });
  afterAll(() => table?.close());

  beforeEach(() => {
    s3.reset();
    ses.reset();
    s3.on(GetObjectCommand).callsFake(async (input: { Bucket: string; Key: string }) => {
      const body = input.Bucket === BUCKET ? rawMail.get(input.Key) : undefined;
      if (!body) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
      return { Body: { transformToByteArray: async () => body } };
    });
    s3.on(PutObjectCommand).callsFake(
      async (input: {
        Bucket: string;
        Key: string;
        Body: Uint8Array;
        ServerSideEncryption?: string;
      }) => {
        written.set(`${input.Bucket}/${input.Key}`, {
          body: input.Body,
          ...(input.ServerSideEncryption ? { sse: input.ServerSideEncryption } : {}),
        });
        return {};
      },
    );
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-out-1' });
  });

  const files = readdirSync(EVENTS)
    .filter((f) => f.endsWith('.json'))
    .sort();

  it('has the seven documented example events', () => {
    expect(files).toHaveLength(7);
  });

  it.each(files)('turns %s into a signal', async (file) => {
    const { event, repaired } = readAwsExample(join(EVENTS, file));
    expect(repaired).toBe(file.includes('verbatim'));
    // What the S3 action would have stored for this event (object key = prefix + SES message id, or the action's key).
    for (const key of [
      'email',
      '6n4thuhcbhpfiuf25gshf70rss364fuejrvmqko1',
      'd6iitobk75ur44p8kdnnp7g2n800',
      'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
    ]) {
      rawMail.set(key, new TextEncoder().encode(staffMail(key)));
    }
    const result = await main(event, deps);
    expect(result.outcomes).toHaveLength(1);
    expect(result.outcomes[0]?.kind).toBe('signal');
    const signal = await store.get(result.outcomes[0]?.signalId ?? '');
    expect(signal?.channel).toBe('email');
  });

  it('makes one signal of the same S3 event delivered twice', async () => {
    const { event } = readAwsExample(join(EVENTS, 's3-action-event-record-aws-lambda-go.json'));
    rawMail.set('email', new TextEncoder().encode(staffMail('twice')));
    const first = await main(event, deps);
    const second = await main(event, deps);
    expect(second.outcomes[0]?.signalId).toBe(first.outcomes[0]?.signalId);
  });

  it('stores attachments sealed, with SSE-KMS, in the attachments bucket only', async () => {
    const { event } = readAwsExample(join(EVENTS, 's3-action-event-record-aws-lambda-go.json'));
    rawMail.set('email', new TextEncoder().encode(staffMail('headers-kept')));
    written.clear();
    const r = await main(event, deps);
    const keys = [...written.keys()];
    expect(keys).toContain(`attachments/mail-headers/${r.outcomes[0]?.signalId}`);
    for (const [key, w] of written) {
      expect(key.startsWith('attachments/')).toBe(true);
      expect(w.sse).toBe('aws:kms');
      expect(Buffer.from(w.body).toString('latin1')).not.toContain('ZQX-SES');
    }
  });

  it('quarantines on a virus verdict: no signal, the officers told through SES', async () => {
    const { event } = readAwsExample(join(EVENTS, 'lambda-action-event-aws-lambda-go.json'));
    const infected = structuredClone(event) as {
      Records: Array<{ ses: { receipt: { virusVerdict: { status: string } } } }>;
    };
    const record = infected.Records[0];
    if (record) record.ses.receipt.virusVerdict.status = 'FAIL';
    const before = (await store.list({ limit: 500 })).items.length;
    const r = await main(infected, deps);
    expect(r.outcomes[0]?.kind).toBe('quarantined');
    expect((await store.list({ limit: 500 })).items.length).toBe(before);
    const sent = ses
      .commandCalls(SendEmailCommand)
      .map((c) => c.args[0].input.Destination?.ToAddresses);
    expect(sent).toEqual([['aandachtsfunctionaris@montfoort.example']]);
  });

  it('marks a staff sender whose DKIM failed as not verified', async () => {
    const { event } = readAwsExample(join(EVENTS, 's3-action-event-record-aws-lambda-go.json'));
    const failed = structuredClone(event) as {
      Records: Array<{ ses: { receipt: { dkimVerdict: { status: string } } } }>;
    };
    const record = failed.Records[0];
    if (record) record.ses.receipt.dkimVerdict.status = 'FAIL';
    rawMail.set('email', new TextEncoder().encode(staffMail('dkim-fail')));
    const r = await main(failed, deps);
    expect((await store.get(r.outcomes[0]?.signalId ?? ''))?.senderUnverified).toBe(true);
  });

  it('refuses events it does not know, and objects outside the raw-mail bucket', async () => {
    await expect(main({ Records: [{ eventSource: 'aws:s3' }] }, deps)).rejects.toBeInstanceOf(
      UnrecognisedEventError,
    );
    const { event } = readAwsExample(join(EVENTS, 's3-action-event-record-aws-lambda-go.json'));
    const elsewhere = JSON.parse(JSON.stringify(event).replace(BUCKET, 'other-bucket'));
    await expect(main(elsewhere, deps)).rejects.toBeInstanceOf(UnrecognisedEventError);
  });

  it('fails (so Lambda retries) when the raw message is not in the bucket', async () => {
    const { event } = readAwsExample(join(EVENTS, 's3-action-event-record-aws-lambda-go.json'));
    rawMail.delete('email');
    await expect(main(event, deps)).rejects.toMatchObject({ name: 'RawMailMissingError' });
  });

  it('logs no address or content', () => {
    const log = logger.lines.join('\n');
    expect(log).not.toMatch(/montfoort\.example|example\.com|ZQX-SES/);
  });
});
