/**
 * KMS calls to show one signal's detail page on AWS, counted with a KMS mock:
 * the real web Lambda (functions/handlers/web.ts, its module-scope
 * composition root with the KMS keyring) fed an API Gateway event, against
 * dynalite. Counted on a warm container: the once-per-container derivation of
 * the link and blind-index keys (two GenerateMac) is done by a first request,
 * on a third signal. The signals are written through another composition
 * (another container: its own cache of signal keys, docs/adr/0016), so each
 * count is the viewer's first view of that signal: the worst case.
 */
import { createHmac, randomBytes } from 'node:crypto';
import {
  DecryptCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateMacCommand,
  KMSClient,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { HmacLinkSigner } from '#adapters/crypto/hmac.ts';
import { DynamoAuthStore } from '#adapters/dynamo/auth-store.ts';
import { sha256 } from '#core/hashing.ts';
import { submitSignal } from '#core/use-cases/submit-signal.ts';
import { sendHandover } from '#core/use-cases/workflow/hand-over.ts';
import { addNote } from '#core/use-cases/workflow/officer-actions.ts';
import { testTable } from '../../test/support/dynamo.ts';
import { API_HOST, httpApiEvent } from '../../test/support/lambda-events.ts';
import { fakeSignal, rng, submissionOf } from '../lib/dutch.ts';
import { countAtMost, failed, measured, type Row } from '../lib/harness.ts';
import type { BenchContext } from '../lib/setup.ts';

const BUDGET = countAtMost(2);
const NEW = 'KMS calls to show one signal\u2019s detail page on AWS: a new signal';
const WORKED = 'KMS calls to show one signal\u2019s detail page on AWS: a worked signal';
const KEY_ARN = 'arn:aws:kms:eu-central-1:111122223333:key/11111111-2222-3333-4444-555555555555';
const HOST = API_HOST;
const apiEvent = (path: string, cookie: string) =>
  httpApiEvent('GET', path, { cookies: [cookie], userAgent: 'bench' });
/** A data key "wrapped" by the mock: a marker and the key itself (no real KMS here). */
const WRAP = Buffer.from('bench-kms:');

type Result = { statusCode: number; body: string };

export async function kmsCallsSuite(ctx: BenchContext): Promise<Row[]> {
  const saved = { ...process.env };
  const kms = mockClient(KMSClient);
  const table = await testTable('meldroute-kms-bench');
  try {
    kms.on(GenerateDataKeyCommand).callsFake(() => {
      const key = randomBytes(32);
      return {
        KeyId: KEY_ARN,
        Plaintext: new Uint8Array(key),
        CiphertextBlob: new Uint8Array(Buffer.concat([WRAP, key])),
      };
    });
    kms.on(EncryptCommand).callsFake((input: { Plaintext: Uint8Array }) => ({
      KeyId: KEY_ARN,
      CiphertextBlob: new Uint8Array(Buffer.concat([WRAP, Buffer.from(input.Plaintext)])),
    }));
    kms.on(DecryptCommand).callsFake((input: { CiphertextBlob: Uint8Array }) => ({
      KeyId: KEY_ARN,
      Plaintext: new Uint8Array(Buffer.from(input.CiphertextBlob).subarray(WRAP.length)),
    }));
    kms.on(GenerateMacCommand).callsFake((input: { Message: Uint8Array }) => ({
      KeyId: KEY_ARN,
      Mac: new Uint8Array(createHmac('sha256', 'bench').update(input.Message).digest()),
    }));
    Object.assign(process.env, {
      MELDROUTE_CONFIG: ctx.configFile,
      TABLE_NAME: table.table,
      DYNAMODB_ENDPOINT: table.endpoint,
      KMS_KEY_ARN: KEY_ARN,
      SECRETS_KEY_ARN: KEY_ARN,
      BASE_URL: `https://${HOST}`,
      AWS_REGION: 'eu-central-1',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    });
    // Imported only now: the composition root wires itself from the environment at module scope.
    const web = await import('#handlers/web.ts');
    // The writer: another container than the one `web.main` serves from.
    const { deps } = web.webDeps({ env: process.env });
    const officer = ctx.officer;

    // A signal as staff report it, and one the officer has worked on.
    const r = rng(99);
    const make = async (key: string) =>
      (
        await submitSignal(deps, {
          submission: submissionOf(fakeSignal(r, ctx.config.teams), ctx.staff),
          channel: 'form',
          idempotencyKey: key,
        })
      ).signalId;
    const warmup = await make('kms-warmup');
    const fresh = await make('kms-new');
    const worked = await make('kms-worked');
    const workflow = { ...deps, linkSigner: new HmacLinkSigner(randomBytes(32)) };
    for (const text of [
      'Gebeld met de wijkagent; adres is bekend.',
      'Besproken met de zorgcoördinator.',
    ]) {
      const n = await addNote(workflow, { signalId: worked, actor: officer, text });
      if (!n.ok) throw new Error(`could not add a note: ${n.reason}`);
    }
    const partners = ctx.config.partners.filter((p) => p.alwaysInclude).map((p) => p.id);
    const handed = await sendHandover(workflow, {
      signalId: worked,
      actor: officer,
      request: {
        selected: partners,
        overrideReason: 'Benchmark: alleen de vaste partner.',
        texts: Object.fromEntries(
          partners.map((id) => [id, 'Graag contact opnemen met betrokkene.']),
        ),
      },
    });
    if (!handed.ok) throw new Error(`could not hand over: ${handed.reason}`);

    // A signed-in officer (as after the email link and the second factor).
    const sessionId = randomBytes(32).toString('base64url');
    const now = new Date().toISOString();
    await new DynamoAuthStore(table.doc, table.table).putSession({
      idHash: sha256(sessionId),
      email: officer,
      role: 'officer',
      csrfSecret: randomBytes(32).toString('base64url'),
      createdAt: now,
      lastSeenAt: now,
      method: 'sso',
    });
    const view = async (id: string) => {
      const res = (await (web.main as unknown as (e: unknown, c: unknown) => Promise<Result>)(
        apiEvent(`/inbox/${id}`, `__Host-mr_session=${sessionId}`),
        {},
      )) as Result;
      if (res.statusCode !== 200) throw new Error(`detail page answered ${res.statusCode}`);
    };
    await view(warmup); // derives the container's keys (GenerateMac), once
    const count = async (id: string) => {
      kms.resetHistory();
      await view(id);
      return {
        total: kms.calls().length,
        decrypt: kms.commandCalls(DecryptCommand).length,
        generate: kms.commandCalls(GenerateDataKeyCommand).length,
      };
    };
    const a = await count(fresh);
    const b = await count(worked);
    const detail = (c: { total: number; decrypt: number; generate: number }) =>
      `${c.decrypt} Decrypt, ${c.generate} GenerateDataKey, ${c.total - c.decrypt - c.generate} other`;
    return [
      measured({
        metric: NEW,
        unit: 'calls',
        value: a.total,
        budget: BUDGET,
        note: `${detail(a)}; the reporter and the signal's key, first view in this container`,
      }),
      measured({
        metric: WORKED,
        unit: 'calls',
        value: b.total,
        budget: BUDGET,
        note: `${detail(b)}; content, 2 notes and a handover under the signal's one key, plus the reporter`,
      }),
    ];
  } catch (err) {
    return [failed(NEW, BUDGET, err), failed(WORKED, BUDGET, err)];
  } finally {
    kms.restore();
    process.env = saved;
    await table.close();
  }
}
