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
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { rawAesKeyring } from '#adapters/crypto/encryption-sdk.ts';
import { scanAll, testTable } from '../support/dynamo.ts';
import { API_BASE_URL, API_HOST, httpApiEvent, lambdaContext } from '../support/lambda-events.ts';

/**
 * The web Lambda as AWS runs it: the real composition root (module scope,
 * environment from the CDK stack) behind hono/aws-lambda and middy, fed API
 * Gateway v2 events, against dynalite. KMS and SES are mocked; nothing leaves
 * the machine. The last test hands the queued mail to the outbox Lambda.
 */

const _HOST = API_HOST;
const BASE_URL = API_BASE_URL;
const apiEvent = httpApiEvent;
const KEY_ARN = 'arn:aws:kms:eu-central-1:111122223333:key/11111111-2222-3333-4444-555555555555';
const OFFICER = 'aandachtsfunctionaris@montfoort.example';

const kms = mockClient(KMSClient);
const ses = mockClient(SESv2Client);
const dataKey = randomBytes(32);

type Result = {
  statusCode: number;
  headers?: Record<string, string>;
  cookies?: string[];
  body: string;
};
type Handler = (event: unknown, context: unknown) => Promise<Result>;
let web: typeof import('#handlers/web.ts');
let table: Awaited<ReturnType<typeof testTable>>;
const saved = { ...process.env };
let output: string[] = [];

const context = lambdaContext('web');

const call = (event: unknown) => (web.handler as unknown as Handler)(event, context);

beforeAll(async () => {
  table = await testTable('meldroute-web-handler');
  Object.assign(process.env, {
    MELDROUTE_CONFIG: fileURLToPath(
      new URL('../../config/montfoort.example.json', import.meta.url),
    ),
    TABLE_NAME: table.table,
    DYNAMODB_ENDPOINT: table.endpoint,
    KMS_KEY_ARN: KEY_ARN,
    BASE_URL,
    AWS_REGION: 'eu-central-1',
    POWERTOOLS_LOG_LEVEL: 'INFO',
  });
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation((chunk: unknown, ...rest: unknown[]) => {
      output.push(String(chunk));
      return write(chunk as string, ...(rest as []));
    });
  }
  // Imported only now: the composition root wires itself from the environment at module scope.
  web = await import('#handlers/web.ts');
}, 60_000);

afterEach(() => {
  kms.reset();
  ses.reset();
  output = [];
});

afterAll(async () => {
  vi.restoreAllMocks();
  process.env = saved;
  await table.close();
});

describe('web Lambda handler', () => {
  it('answers GET /healthz with ok and calls no AWS service', async () => {
    const r = await call(apiEvent('GET', '/healthz'));
    expect(r.statusCode).toBe(200);
    expect(r.body).toBe('ok');
    expect(kms.calls()).toHaveLength(0);
  });

  it('sends an anonymous GET /melden to sign-in, with secure headers and cookies', async () => {
    const r = await call(apiEvent('GET', '/melden'));
    expect(r.statusCode).toBe(303);
    expect(r.headers?.location).toBe('/login?terug=%2Fmelden');
    expect(r.headers?.['strict-transport-security']).toBeDefined();
    expect(r.cookies?.length).toBeGreaterThan(0);
    for (const cookie of r.cookies ?? []) expect(cookie).toMatch(/^__Host-.*; Secure/i);
    expect(kms.calls()).toHaveLength(0);
  });

  it('sends the security headers on health, the stylesheet, pages and the not-found page', async () => {
    for (const [path, status, cache] of [
      ['/healthz', 200, 'no-store'],
      ['/static/meldroute.css', 200, 'public, max-age=3600'],
      ['/login', 200, 'no-store'],
      ['/bestaat-niet', 404, 'no-store'],
    ] as const) {
      const r = await call(apiEvent('GET', path));
      expect(r.statusCode, path).toBe(status);
      expect(r.headers?.['content-security-policy'], path).toMatch(/^default-src 'none'.*'none'$/);
      expect(r.headers?.['x-frame-options'], path).toBe('DENY');
      expect(r.headers?.['strict-transport-security'], path).toBeDefined();
      expect(r.headers?.['cache-control'], path).toBe(cache);
    }
  });

  it('derives the partner-link and blind-index keys in KMS once, and leaves the partner pages to the partner function', async () => {
    process.env.SECRETS_KEY_ARN = KEY_ARN;
    kms.on(GenerateMacCommand).resolves({ Mac: new Uint8Array(32).fill(7) });
    try {
      for (let i = 0; i < 3; i++) {
        // /partner/* is the partner function's (docs/adr/0018): here even a link's page is not found.
        const r = await call(apiEvent('GET', `/partner/${'x'.repeat(55)}`));
        expect(r.statusCode).toBe(404);
      }
      expect((await call(apiEvent('GET', '/inbox'))).headers?.location).toBe(
        '/login?terug=%2Finbox',
      );
      expect(kms.commandCalls(GenerateMacCommand)).toHaveLength(2);
    } finally {
      delete process.env.SECRETS_KEY_ARN;
    }
  });

  it('has no /dev/mail, even when a caller passes a dev mailbox to buildWebApp', async () => {
    expect((await call(apiEvent('GET', '/dev/mail'))).statusCode).toBe(404);
    const { deps } = web.webDeps({ keyring: rawAesKeyring(randomBytes(32)) });
    const app = web.buildWebApp({ ...deps, devMail: {} as never });
    expect((await app.request(`${BASE_URL}/dev/mail`)).status).toBe(404);
  });

  it('queues a sign-in link under the mail encryption context, logging no address or token', async () => {
    kms.on(GenerateDataKeyCommand).resolves({
      KeyId: KEY_ARN,
      Plaintext: new Uint8Array(dataKey),
      CiphertextBlob: new Uint8Array(randomBytes(64)),
    });
    const form = await call(apiEvent('GET', '/login'));
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    const cookies = (form.cookies ?? []).map((c) => c.split(';')[0] ?? '');
    expect(csrf).not.toBe('');

    const body = new URLSearchParams({ _csrf: csrf, email: OFFICER }).toString();
    const r = await call(apiEvent('POST', '/login', { body, cookies }));
    expect(r.statusCode).toBe(200);

    // The IAM conditions in infra/constructs/access.ts rely on exactly these context keys.
    const generate = kms.commandCalls(GenerateDataKeyCommand);
    expect(generate).toHaveLength(1);
    expect(generate[0]?.args[0].input).toMatchObject({
      KeyId: KEY_ARN,
      EncryptionContext: expect.objectContaining({ municipality: 'montfoort', part: 'mail' }),
    });
    const pending = (await scanAll(table.doc, table.table)).filter((i) => i.outboxPk === 'PENDING');
    expect(pending).toHaveLength(1);
    const logs = output.join('');
    expect(logs).toContain('sign-in link requested');
    expect(logs).not.toContain(OFFICER);
    expect(logs).not.toContain('/aanmelden/');
  });

  it('hands the queued link to the outbox Lambda, which sends it through SES once', async () => {
    kms.on(DecryptCommand).resolves({ KeyId: KEY_ARN, Plaintext: new Uint8Array(dataKey) });
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
    const outbox = await import('#handlers/outbox.ts');
    const stream = {
      Records: [{ eventSource: 'aws:dynamodb', eventName: 'INSERT', dynamodb: {} }],
    };
    const first = await outbox.handler(stream, context);
    const again = await outbox.handler({ job: 'outbox-sweep' }, context);
    expect(first).toMatchObject({ trigger: 'stream', sent: 1, failed: 0 });
    expect(again).toMatchObject({ trigger: 'schedule', sent: 0 });
    const sent = ses.commandCalls(SendEmailCommand);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.args[0].input.Destination?.ToAddresses).toEqual([OFFICER]);
    expect(output.join('')).not.toContain(OFFICER);
  });
});
