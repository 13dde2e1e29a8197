import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type EncryptedDataKey,
  KeyringNode,
  type NodeDecryptionMaterial,
  type NodeEncryptionMaterial,
} from '@aws-crypto/client-node';
import { GenerateMacCommand, KMSClient } from '@aws-sdk/client-kms';
import middy from '@middy/core';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EncryptionSdkCrypto, rawAesKeyring } from '#adapters/crypto/encryption-sdk.ts';
import { HmacLinkSigner } from '#adapters/crypto/hmac.ts';
import { SignalKeyCrypto } from '#adapters/crypto/signal-keys.ts';
import { DynamoSignalKeyStore } from '#adapters/dynamo/signal-key-store.ts';
import { DynamoSignalStore } from '#adapters/dynamo/signal-store.ts';
import { systemClock } from '#adapters/system.ts';
import { PARTNER_KMS_PARTS } from '#config/kms-parts.ts';
import { parseConfig } from '#core/config.ts';
import type { EncryptionContext } from '#core/ports.ts';
import { mailContext, openJson, unpackJson } from '#core/sealing.ts';
import { submitSignal } from '#core/use-cases/submit-signal.ts';
import type { WorkflowDeps } from '#core/use-cases/workflow/change.ts';
import { sendHandover } from '#core/use-cases/workflow/hand-over.ts';
import { FeedbackSchema } from '#core/use-cases/workflow/partner-feedback.ts';
import { lambdaLogger, withLambdaContext } from '#handlers/shared/logger.ts';
import { emailRenderer } from '#templates/render.ts';
import { scanAll, testTable } from '../support/dynamo.ts';
import { counterIds, memoryLogger } from '../support/fakes.ts';
import { API_BASE_URL, API_HOST, httpApiEvent, lambdaContext } from '../support/lambda-events.ts';
import { markedSubmission } from '../support/submission.ts';

/**
 * The partner Lambda (docs/adr/0018) as AWS runs it: its composition root
 * behind hono/aws-lambda and middy, fed API Gateway v2 events, against
 * dynalite. Its keyring is the same raw AES key the officer's side sealed
 * with, but scoped as the partner role's IAM policy scopes KMS: a data key
 * only for the parts in PARTNER_KMS_PARTS, never for `reporter`. An officer
 * hands a signal over; the partner opens the emailed link and answers.
 */

const _HOST = API_HOST;
const BASE_URL = API_BASE_URL;
/** What API Gateway sends for the partner route (infra/constructs/web.ts). */
const apiEvent = (
  method: 'GET' | 'POST',
  path: string,
  init: { body?: string; cookies?: string[]; query?: string } = {},
) => httpApiEvent(method, path, { ...init, routeKey: 'ANY /partner/{token}' });
const KEY_ARN = 'arn:aws:kms:eu-central-1:111122223333:key/11111111-2222-3333-4444-555555555555';
const OFFICER = 'aandachtsfunctionaris@montfoort.example';
/** What the mocked KMS GenerateMac gives for every label: the partner-link key on both sides. */
const LINK_KEY = new Uint8Array(32).fill(7);

type Part = { op: 'encrypt' | 'decrypt'; part: string };

/** A keyring that answers only for the granted parts, as KMS does under an IAM condition on `part`. */
class PartScopedKeyring extends KeyringNode {
  readonly asked: Part[] = [];
  readonly refused: Part[] = [];

  constructor(
    private readonly inner: KeyringNode,
    private readonly grant: { encrypt: readonly string[]; decrypt: readonly string[] },
  ) {
    super();
  }

  private check(op: Part['op'], context: Record<string, string>) {
    const part = context.part ?? '';
    this.asked.push({ op, part });
    if (part === 'reporter' || !this.grant[op].includes(part)) {
      this.refused.push({ op, part });
      throw new Error(`AccessDeniedException: kms ${op} under part ${part}`);
    }
  }

  async _onEncrypt(material: NodeEncryptionMaterial) {
    this.check('encrypt', material.encryptionContext);
    return this.inner.onEncrypt(material);
  }

  async _onDecrypt(material: NodeDecryptionMaterial, edks: EncryptedDataKey[]) {
    this.check('decrypt', material.encryptionContext);
    return this.inner.onDecrypt(material, edks);
  }
}

const kms = mockClient(KMSClient);
const dataKey = randomBytes(32);
/** A fresh copy each time: a raw AES keyring zeroes the key it is given. */
const envelopeKey = () => new Uint8Array(dataKey);
const config = parseConfig({
  ...JSON.parse(readFileSync('config/montfoort.example.json', 'utf8')),
  baseUrl: BASE_URL,
});

let table: Awaited<ReturnType<typeof testTable>>;
let partner: typeof import('#handlers/partner.ts');
const saved = { ...process.env };
let officer: WorkflowDeps & { ids: ReturnType<typeof counterIds> };
let keyring: PartScopedKeyring;
let handler: (event: unknown, context: unknown) => Promise<Result>;
const logger = memoryLogger();

type Result = {
  statusCode: number;
  headers?: Record<string, string>;
  cookies?: string[];
  body: string;
};

const context = lambdaContext('partner', '512');

const call = (event: unknown) => handler(event, context);
const cookiesOf = (r: Result) => (r.cookies ?? []).map((c) => c.split(';')[0] ?? '');
const csrfOf = (r: Result) => /name="_csrf" value="([^"]+)"/.exec(r.body)?.[1] ?? '';

/** The officer's side, as the web function does it: every part, under the unscoped key. */
async function handOver(marker: string) {
  const submitted = await submitSignal(officer, {
    submission: markedSubmission(marker),
    channel: 'form',
    idempotencyKey: marker,
  });
  const sent = await sendHandover(officer, {
    signalId: submitted.signalId,
    actor: OFFICER,
    request: {
      selected: ['nla'],
      texts: { zorgcoordinator: `Zorg ${marker}-HANDOVER`, nla: `Arbeid ${marker}-HANDOVER` },
    },
  });
  expect(sent.ok).toBe(true);
  return submitted.signalId;
}

/** The link in the mail the partner received, read from the signal's outbox as the outbox function would. */
async function emailedToken(signalId: string, partnerEmail: string): Promise<string> {
  const item = (await scanAll(table.doc, table.table)).find(
    (i) => i.pk === `SIG#${signalId}` && i.kind === 'signal',
  );
  const mails = (item?.mails ?? {}) as Record<string, { c: Uint8Array }>;
  for (const { c } of Object.values(mails)) {
    const plain = await officer.crypto.decrypt(c, mailContext('montfoort', signalId));
    const mail = unpackJson(plain) as { to: string[]; text: string };
    if (!mail.to.includes(partnerEmail)) continue;
    const token = /\/partner\/([a-z0-9.]+)/.exec(mail.text)?.[1];
    if (token) return token;
  }
  throw new Error(`no partner link mailed to ${partnerEmail}`);
}

beforeAll(async () => {
  table = await testTable('meldroute-partner-handler');
  const env = {
    MELDROUTE_CONFIG: fileURLToPath(
      new URL('../../config/montfoort.example.json', import.meta.url),
    ),
    TABLE_NAME: table.table,
    DYNAMODB_ENDPOINT: table.endpoint,
    KMS_KEY_ARN: KEY_ARN,
    SECRETS_KEY_ARN: KEY_ARN,
    BASE_URL,
    AWS_REGION: 'eu-central-1',
  };
  officer = {
    config,
    store: new DynamoSignalStore(table.doc, table.table),
    crypto: new SignalKeyCrypto(
      new EncryptionSdkCrypto(rawAesKeyring(envelopeKey())),
      new DynamoSignalKeyStore(table.doc, table.table),
    ),
    // The handler runs on the system clock: the link must be valid now.
    clock: systemClock,
    render: emailRenderer,
    ids: counterIds(),
    linkSigner: new HmacLinkSigner(LINK_KEY),
  };
  Object.assign(process.env, env);
  // Imported only now: the composition root wires itself from the environment at module scope.
  partner = await import('#handlers/partner.ts');
  keyring = new PartScopedKeyring(rawAesKeyring(envelopeKey()), PARTNER_KMS_PARTS);
  // The deployed handler is middy(partnerMain()) over the KMS keyring; here over the scoped one.
  const main = partner.partnerMain({ keyring, logger });
  handler = middy(main).use(
    withLambdaContext(lambdaLogger('meldroute-partner').powertools),
  ) as unknown as typeof handler;
}, 60_000);

afterEach(() => {
  kms.reset();
});

afterAll(async () => {
  process.env = saved;
  await table.close();
});

describe('partner Lambda handler', () => {
  it('shows the handover behind the emailed link and takes the feedback, never asking for the reporter', async () => {
    kms.on(GenerateMacCommand).resolves({ Mac: LINK_KEY });
    const signalId = await handOver('PARTNERFN1');
    const nla = config.partners.find((p) => p.id === 'nla');
    const token = await emailedToken(signalId, nla?.email ?? '');
    const path = `/partner/${token}`;

    const opened = await call(apiEvent('GET', path));
    expect(opened.statusCode).toBe(200);
    expect(opened.body).toContain('Arbeid PARTNERFN1-HANDOVER');
    expect(opened.body).not.toContain('Zorg PARTNERFN1-HANDOVER');
    expect(opened.body).not.toContain('Melder PARTNERFN1');
    expect(opened.headers?.['content-security-policy']).toMatch(/^default-src 'none'/);
    // Partners have no account: a visitor's CSRF cookie, on the __Host- prefix.
    expect(cookiesOf(opened)).toEqual([expect.stringMatching(/^__Host-mr_csrf=/)]);

    const body = new URLSearchParams({
      _csrf: csrfOf(opened),
      takenOn: 'yes',
      actions: 'Controle op de werkplek ingepland.',
      text: 'Wij nemen contact op.',
    }).toString();
    const posted = await call(apiEvent('POST', path, { body, cookies: cookiesOf(opened) }));
    expect(posted.statusCode).toBe(303);
    expect(posted.headers?.location).toBe(`${path}?ontvangen=1`);

    const thanks = await call(apiEvent('GET', path, { query: 'ontvangen=1' }));
    expect(thanks.statusCode).toBe(200);

    // Recorded in the one signal item, with the officers' notices queued beside it.
    const signal = await officer.store.get(signalId);
    const handover = signal?.handovers?.find((h) => h.partnerId === 'nla');
    expect(handover?.state).toBe('feedback_received');
    expect(handover?.feedback).toHaveLength(1);
    expect(signal?.status).toBe('feedback_received');
    const item = (await scanAll(table.doc, table.table)).find(
      (i) => i.pk === `SIG#${signalId}` && i.kind === 'signal',
    );
    expect(Object.keys((item?.mails ?? {}) as object).filter((id) => id.includes('-fb1-'))).toEqual(
      config.officers.map((_, i) => `${signalId}-${handover?.id}-fb1-${i}`),
    );

    // The officer reads the feedback the partner sealed.
    const fb = handover?.feedback[0];
    expect(
      await openJson(
        officer.crypto,
        fb?.cipher ?? new Uint8Array(),
        { municipality: 'montfoort', signalId, part: `feedback:${handover?.id}:1` },
        FeedbackSchema,
      ),
    ).toMatchObject({ actions: 'Controle op de werkplek ingepland.' });

    // What the partner path asked KMS for: the signal's key and the mails, nothing else.
    expect(keyring.refused).toEqual([]);
    const asked = [...new Set(keyring.asked.map((a) => `${a.op} ${a.part}`))].sort();
    expect(asked).toEqual(['decrypt signal-key', 'encrypt mail']);
    expect(kms.commandCalls(GenerateMacCommand)).toHaveLength(1);
  });

  it('runs under a keyring that really refuses the reporter, as the partner role’s IAM policy does', async () => {
    expect([...PARTNER_KMS_PARTS.encrypt, ...PARTNER_KMS_PARTS.decrypt]).not.toContain('reporter');
    const signalId = await handOver('PARTNERFN2');
    const signal = await officer.store.get(signalId);
    const reporter: EncryptionContext = { municipality: 'montfoort', signalId, part: 'reporter' };
    const scoped = new EncryptionSdkCrypto(keyring);
    await expect(
      scoped.decrypt(signal?.reporterCipher ?? new Uint8Array(), reporter),
    ).rejects.toThrow();
    await expect(scoped.encrypt(new Uint8Array([1]), reporter)).rejects.toThrow();
    expect(keyring.refused).toEqual([
      { op: 'decrypt', part: 'reporter' },
      { op: 'encrypt', part: 'reporter' },
    ]);
    keyring.refused.length = 0;
  });

  it('answers 404 for officer and staff pages: this function serves the partner pages only', async () => {
    kms.on(GenerateMacCommand).resolves({ Mac: LINK_KEY });
    for (const path of ['/inbox', '/melden', '/login', '/', '/dev/mail', '/overleg']) {
      const r = await call(apiEvent('GET', path));
      expect(r.statusCode, path).toBe(404);
      expect(r.body, path).toContain('Pagina niet gevonden');
    }
    expect((await call(apiEvent('GET', '/healthz'))).body).toBe('ok');
  });

  it('gives a made-up link the one "link does not work" page, and refuses a post from another site', async () => {
    kms.on(GenerateMacCommand).resolves({ Mac: LINK_KEY });
    expect((await call(apiEvent('GET', `/partner/${'x'.repeat(55)}`))).statusCode).toBe(410);
    const cross = apiEvent('POST', `/partner/${'x'.repeat(55)}`, { body: '_csrf=x&text=y' });
    cross.headers.origin = 'https://evil.example';
    expect((await call(cross)).statusCode).toBe(403);
    expect(logger.lines.join('\n')).not.toContain('PARTNERFN');
  });
});
