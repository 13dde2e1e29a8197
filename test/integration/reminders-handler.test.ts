import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  DecryptCommand,
  GenerateDataKeyCommand,
  GenerateMacCommand,
  KMSClient,
} from '@aws-sdk/client-kms';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testTable } from '../support/dynamo.ts';
import { fixedClock, memoryLogger } from '../support/fakes.ts';
import { exampleConfig, OFFICER, reminderWorld } from '../support/reminders.ts';

/**
 * The reminders and digest Lambdas as AWS runs them: the real composition
 * roots, fed the event EventBridge Scheduler sends (the schedule's input,
 * verbatim), against dynalite. KMS and SES are mocked as in the web handler
 * test; the queued mails go out through the outbox Lambda.
 */

const KEY_ARN = 'arn:aws:kms:eu-central-1:111122223333:key/11111111-2222-3333-4444-555555555555';
const SECRETS_ARN =
  'arn:aws:kms:eu-central-1:111122223333:key/66666666-2222-3333-4444-555555555555';
const MOVIERA = 'zorgcoordinatie@moviera.example';
const kms = mockClient(KMSClient);
const ses = mockClient(SESv2Client);
const dataKey = randomBytes(32);
const saved = { ...process.env };
const context = {
  functionName: 'meldroute-reminders',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  getRemainingTimeInMillis: () => 300_000,
};

let table: Awaited<ReturnType<typeof testTable>>;
let world: ReturnType<typeof reminderWorld>;
let reference = '';

beforeAll(async () => {
  table = await testTable('meldroute-reminders-handler');
  world = reminderWorld(table, exampleConfig());
  reference = (await world.handedOver()).reference;
  Object.assign(process.env, {
    MELDROUTE_CONFIG: fileURLToPath(
      new URL('../../config/montfoort.example.json', import.meta.url),
    ),
    TABLE_NAME: table.table,
    DYNAMODB_ENDPOINT: table.endpoint,
    KMS_KEY_ARN: KEY_ARN,
    SECRETS_KEY_ARN: SECRETS_ARN,
    BASE_URL: 'https://abc123.execute-api.eu-central-1.amazonaws.com',
    AWS_REGION: 'eu-central-1',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
}, 60_000);

beforeEach(() => {
  kms.reset();
  ses.reset();
  kms.on(GenerateMacCommand).resolves({ Mac: new Uint8Array(randomBytes(32)) });
  kms.on(GenerateDataKeyCommand).resolves({
    KeyId: KEY_ARN,
    Plaintext: new Uint8Array(dataKey),
    CiphertextBlob: new Uint8Array(randomBytes(64)),
  });
  kms.on(DecryptCommand).resolves({ KeyId: KEY_ARN, Plaintext: new Uint8Array(dataKey) });
  ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
});

afterAll(async () => {
  process.env = saved;
  await table.close();
});

describe('reminders Lambda', () => {
  it('derives its link secret in KMS on the first event, and refuses an event that is not its schedule', async () => {
    const { handler } = await import('#handlers/reminders.ts');
    await expect(handler({ job: 'digest' }, context as never)).rejects.toThrow(
      expect.objectContaining({ name: 'UnrecognisedEventError' }),
    );
    const mac = kms.commandCalls(GenerateMacCommand)[0]?.args[0].input;
    expect(new TextDecoder().decode(mac?.Message)).toBe('meldroute:montfoort:partner-link/v1');
    expect(mac?.KeyId).toBe(SECRETS_ARN);
  });

  it('queues the due reminder once on its due date; the outbox Lambda sends it through SES', async () => {
    const { main, remindersDeps } = await import('#handlers/reminders.ts');
    const logger = memoryLogger();
    const deps = {
      ...(await remindersDeps({ logger })),
      clock: fixedClock('2026-03-16T07:00:00Z'),
    };
    const first = await main({ job: 'reminders' }, deps);
    const again = await main({ job: 'reminders' }, deps);
    expect(first).toMatchObject({ today: '2026-03-16', workingDay: true, reminders: 1 });
    expect(again).toMatchObject({ reminders: 0 });
    expect(logger.lines.join('\n')).not.toMatch(/@|Melder|Overdracht/);
    const outbox = await import('#handlers/outbox.ts');
    const sent = await outbox.handler({ job: 'outbox-sweep' }, context as never);
    expect(sent).toMatchObject({ sent: 1, failed: 0 });
    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input?.Destination?.ToAddresses).toEqual([MOVIERA]);
    const text = input?.Content?.Simple?.Body?.Text?.Data;
    expect(text).toContain(reference);
    expect(text).toContain('/partner/');
  });
});

describe('digest Lambda', () => {
  it('sends the day digest to the officer once, from the scheduled event', async () => {
    const { main, digestDeps } = await import('#handlers/digest.ts');
    const deps = {
      ...digestDeps({ logger: memoryLogger() }),
      clock: fixedClock('2026-03-16T06:30:00Z'),
    };
    expect(await main({ job: 'digest' }, deps)).toEqual({
      today: '2026-03-16',
      workingDay: true,
      recipients: 1,
      recorded: true,
    });
    expect(await main({ job: 'digest' }, deps)).toMatchObject({ recorded: false });
    await expect(main({ job: 'reminders' }, deps)).rejects.toThrow(/unrecognised event/);
    const outbox = await import('#handlers/outbox.ts');
    await outbox.handler({ job: 'outbox-sweep' }, context as never);
    const to = ses
      .commandCalls(SendEmailCommand)
      .map((c) => c.args[0].input.Destination?.ToAddresses);
    expect(to).toEqual([[OFFICER]]);
  });
});

// Last: with the real clock it may chase the handover above on a working day,
// which must not change what the fixed-date tests see.
describe('reminders Lambda on the real clock', () => {
  it('runs from the scheduled event (today: whatever day the test runs)', async () => {
    const { handler } = await import('#handlers/reminders.ts');
    const r = await handler({ job: 'reminders' }, context as never);
    expect(r).toEqual({
      today: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      workingDay: expect.any(Boolean),
      checked: expect.any(Number),
      reminders: expect.any(Number),
      escalations: 0,
      failed: 0,
    });
  });
});
