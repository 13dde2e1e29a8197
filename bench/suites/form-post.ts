/**
 * Rows 1 and 5 of the issue: the staff form POST end to end over HTTP against
 * one bare dynalite PutItem of an item of the same size plus one bare
 * Encryption SDK encrypt of the same payload; and the server's peak RSS while
 * it takes those posts against its RSS idle after start.
 *
 * The server runs as a child process (`npm start`'s entry) with its own data
 * directory, so its RSS is its own. The baseline runs in this process against
 * its own on-disk dynalite with the production table definition. Form and
 * baseline alternate, one of each per iteration, so a machine that slows
 * down mid-run slows both.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { buildClient, CommitmentPolicy } from '@aws-crypto/client-node';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import {
  ALGORITHM_SUITE,
  EncryptionSdkCrypto,
  FRAME_LENGTH,
  rawAesKeyring,
} from '#adapters/crypto/encryption-sdk.ts';
import { documentClient, ensureTable } from '#adapters/dynamo/client.ts';
import { startEmbeddedDynamo } from '#adapters/dynamo/embedded.ts';
import { DynamoSignalStore } from '#adapters/dynamo/signal-store.ts';
import { KEY } from '#adapters/dynamo/table.ts';
import { randomIds, systemClock } from '#adapters/system.ts';
import { DEFAULTS } from '#config/env.ts';
import { submitSignal } from '#core/use-cases/submit-signal.ts';
import { parseMeldenForm } from '#forms/melden-form.ts';
import { emailRenderer } from '#templates/render.ts';
import { Client, csrfFrom, signIn } from '../../test/support/local.ts';
import { fakeSignal, meldenFormBody, rng, submissionId } from '../lib/dutch.ts';
import { atMost, failed, measured, type Row } from '../lib/harness.ts';
import {
  countMails,
  readRss,
  resetPeakRss,
  runtimeOf,
  startServerProcess,
  waitForMails,
} from '../lib/server-process.ts';
import type { BenchContext } from '../lib/setup.ts';
import { scratchDir, sleep } from '../lib/setup.ts';
import { median, percentile, timed } from '../lib/stats.ts';

export const FORM_P50 = 'staff form POST, valid signal, end to end over HTTP (p50)';
export const FORM_P95 = 'staff form POST, valid signal, end to end over HTTP (p95)';
export const MEMORY = 'memory: peak RSS of the local process during the form benchmark';

const FORM_BUDGET_P50 = atMost(3);
const FORM_BUDGET_P95 = atMost(4);
const MEMORY_BUDGET = atMost(1.5);
/** After a post's mails are out, until its sweep has marked them sent. */
const SWEEP_SETTLE_MS = 20;

const enc = new TextEncoder();
const { encrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

export async function formPostSuite(ctx: BenchContext): Promise<Row[]> {
  try {
    return await run(ctx);
  } catch (err) {
    return [
      failed(FORM_P50, FORM_BUDGET_P50, err),
      failed(FORM_P95, FORM_BUDGET_P95, err),
      failed(MEMORY, MEMORY_BUDGET, err),
    ];
  }
}

async function run(ctx: BenchContext): Promise<Row[]> {
  const iterations = ctx.quick ? 40 : 300;
  const warmup = ctx.quick ? 10 : 30;
  const { config } = ctx;
  const r = rng(20_240_501);

  // --- the baseline: an on-disk dynalite and the bare SDK, in this process
  const baseDir = await scratchDir(ctx, 'form-baseline');
  const dynamo = await startEmbeddedDynamo({ path: join(baseDir, 'dynamodb') });
  const doc = documentClient({ endpoint: dynamo.endpoint });
  const table = DEFAULTS.tableName;
  const server = await startServerProcess({
    dataDir: await scratchDir(ctx, 'form-server'),
    configFile: ctx.configFile,
  });
  let sampler: NodeJS.Timeout | undefined;
  try {
    await ensureTable(doc, table);
    const keyring = rawAesKeyring(randomBytes(32));

    // The item a form post stores, written by the real use case and adapter.
    const submissionOf = (body: Record<string, string | string[]>) => {
      const parsed = parseMeldenForm(body, { reporterEmail: ctx.staff, config });
      if (!parsed.ok) throw new Error(`generated form is invalid: ${parsed.errors[0]?.message}`);
      return parsed.submission;
    };
    const template = submissionOf(
      meldenFormBody(fakeSignal(r, config.teams), {
        csrf: 'x',
        submissionId: 'bench-template-0001',
      }),
    );
    await submitSignal(
      {
        config,
        store: new DynamoSignalStore(doc, table),
        crypto: new EncryptionSdkCrypto(keyring),
        clock: systemClock,
        ids: randomIds,
        render: emailRenderer,
      },
      { submission: template, channel: 'form', idempotencyKey: 'bench-template' },
    );
    const scan = await doc.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'kind = :k',
        ExpressionAttributeValues: { ':k': 'signal' },
      }),
    );
    const item = scan.Items?.[0];
    if (!item) throw new Error('the template signal was not stored');
    const itemBytes = Buffer.byteLength(
      JSON.stringify(item, (_k, v) => (v instanceof Uint8Array ? 'x'.repeat(v.length) : v)),
    );

    // --- the server, idle after start
    await sleep(1_500);
    const idle: number[] = [];
    for (let i = 0; i < 20; i++) {
      idle.push((await readRss(server.pid)).rssKiB);
      await sleep(50);
    }
    const idleKiB = median(idle);
    const peakReset = await resetPeakRss(server.pid);
    let sampledPeak = 0;
    sampler = setInterval(() => {
      readRss(server.pid)
        .then((s) => {
          sampledPeak = Math.max(sampledPeak, s.rssKiB);
        })
        .catch(() => undefined);
    }, 20);

    const client = new Client(server.url);
    await signIn(runtimeOf(server), client, ctx.staff);
    const csrf = csrfFrom((await client.page('/melden')).html);
    const mailsPerPost = 1 + config.officers.length;

    const formTimes: number[] = [];
    const baseTimes: number[] = [];
    let lateMails = 0;
    for (let i = 0; i < warmup + iterations; i++) {
      const body = meldenFormBody(fakeSignal(r, config.teams), {
        csrf,
        submissionId: submissionId(r, i),
      });
      const payload = enc.encode(JSON.stringify(submissionOf(body)));
      const clone = { ...item, [KEY.pk]: `${String(item[KEY.pk])}-${i}` };

      const base = await timed(async () => {
        // The same suite and frames the app seals with (ADR 13), so the ratio is our overhead.
        await encrypt(keyring, payload, {
          suiteId: ALGORITHM_SUITE,
          frameLength: FRAME_LENGTH,
          encryptionContext: {
            municipality: config.municipality.code,
            signalId: `b${i}`,
            part: 'content',
          },
        });
        await doc.send(new PutCommand({ TableName: table, Item: clone }));
      });

      const before = await countMails(server.outboxDir);
      const form = await timed(async () => {
        const res = await client.request('/melden', { method: 'POST', form: body });
        const html = await res.text();
        if (res.status !== 200 || !/[A-Z]+-\d{4}-\d+/.test(html)) {
          throw new Error(`form post answered ${res.status} without a reference`);
        }
      });
      // One post at a time, as staff send them: its mails are out before the next,
      // and the sweep has written its last "sent" mark (a few ms after the last
      // file). Posts are seconds apart in use, never inside the previous one's sweep.
      if (!(await waitForMails(server.outboxDir, before + mailsPerPost))) lateMails++;
      await sleep(SWEEP_SETTLE_MS);

      if (i >= warmup) {
        formTimes.push(form);
        baseTimes.push(base);
      }
    }
    clearInterval(sampler);
    sampler = undefined;
    const final = await readRss(server.pid);
    const peakKiB = Math.max(sampledPeak, peakReset ? final.peakKiB : 0, final.rssKiB);

    const note = `${iterations} posts after ${warmup} warm-up; item ≈ ${(itemBytes / 1024).toFixed(1)} KiB${lateMails ? `; ${lateMails} posts' mails were late` : ''}`;
    const baselineLabel = 'PutItem + encrypt';
    return [
      measured({
        metric: FORM_P50,
        unit: 'ms',
        value: median(formTimes),
        baseline: { label: baselineLabel, value: median(baseTimes) },
        budget: FORM_BUDGET_P50,
        note,
      }),
      measured({
        metric: FORM_P95,
        unit: 'ms',
        value: percentile(formTimes, 95),
        baseline: { label: baselineLabel, value: percentile(baseTimes, 95) },
        budget: FORM_BUDGET_P95,
        note,
      }),
      measured({
        metric: MEMORY,
        unit: 'MB',
        value: (peakKiB * 1024) / 1e6,
        baseline: { label: 'idle after start', value: (idleKiB * 1024) / 1e6 },
        budget: MEMORY_BUDGET,
        note: `VmRSS of the server process; peak from ${peakReset ? 'VmHWM (reset after idle) and ' : ''}20 ms samples`,
      }),
    ];
  } finally {
    if (sampler) clearInterval(sampler);
    await server.stop();
    doc.destroy();
    await dynamo.close();
  }
}
