/**
 * Seeds a local data directory with N signals as a region has them after a
 * few years: five years of signals, most closed, some handed over and
 * waiting, a handful due for a reminder; realistic Dutch names, addresses,
 * businesses and partners; blind-index entries for "already known".
 *
 *   npm run bench:seed -- 100000        seeds var/bench/signals-100000 (reused when present)
 *
 * How the items are made, so they are what the product writes:
 * - a few dozen template signals go through the real `submitSignal` (real
 *   Encryption SDK, real templates), and their records are cloned with new
 *   ids, references (from the real sequence counter), dates, states,
 *   classifications and handovers;
 * - each clone becomes an item through the real `DynamoSignalStore.create`
 *   (its PutItem is captured, not sent) and is written with BatchWriteItem;
 * - each clone's own generated content gives its blind-index entries through
 *   the real `indexSignal` and `DynamoBlindIndexStore`.
 * A clone keeps its template's ciphertexts, which are bound to the template's
 * id: opening a clone's detail page fails the context check, as it must. The
 * benchmarks only open signals they create themselves.
 *
 * The directory is a normal DATA_DIR: `DATA_DIR=var/bench/signals-1000 npm start`
 * shows it (sign in as the example officer).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { EncryptionSdkCrypto, rawAesKeyring } from '#adapters/crypto/encryption-sdk.ts';
import { HmacBlindIndex } from '#adapters/crypto/hmac.ts';
import { DynamoBlindIndexStore } from '#adapters/dynamo/blind-index-store.ts';
import { documentClient, ensureTable } from '#adapters/dynamo/client.ts';
import { startEmbeddedDynamo } from '#adapters/dynamo/embedded.ts';
import { DynamoSignalStore } from '#adapters/dynamo/signal-store.ts';
import { createTableInput } from '#adapters/dynamo/table.ts';
import { loadOrCreateKey } from '#adapters/local/key-file.ts';
import { randomIds, systemClock } from '#adapters/system.ts';
import { DEFAULTS } from '#config/env.ts';
import type { Config, Partner } from '#core/config.ts';
import { idFromKey } from '#core/hashing.ts';
import { indexSignal } from '#core/known/already-known.ts';
import type { BlindIndexEntry, BlindIndexStore, SignalStore } from '#core/ports.ts';
import { amsterdamYear, formatReference } from '#core/reference.ts';
import type {
  Handover,
  Outcome,
  SignalEvent,
  SignalRecord,
  SignalStatus,
  SignalSubmission,
} from '#core/signal.ts';
import { submitSignal } from '#core/use-cases/submit-signal.ts';
import { amsterdamDate } from '#core/working-days.ts';
import { emailRenderer } from '#templates/render.ts';
import { fakeSignal, int, pick, type Rng, rng, some, submissionOf } from './lib/dutch.ts';
import { BENCH_VAR, type BenchContext, benchContext, quietAwsSdk } from './lib/setup.ts';

/** Bump when the generator changes: seeded directories of another version are made again. */
const SEED_VERSION = 2;
/** Open handovers past their due date, for the reminder job (the issue: "of which 10 due"). */
export const DUE_HANDOVERS = 10;
const TEMPLATES = 48;
const YEARS = 5;
const DAY = 86_400_000;

export type Seeded = {
  dir: string;
  count: number;
  handovers: number;
  /** Open handovers due on or before `seededOn`; the next ones fall due 5 days later at the earliest. */
  due: number;
  /** yyyy-mm-dd (Amsterdam): the day the data describes as "today". */
  seededOn: string;
};

type Marker = Seeded & { version: number; fingerprint: string; seconds: number; at: string };

/**
 * The directory for `count` signals, seeded now unless a matching one exists
 * (same count, generator version and item shape).
 */
export async function ensureSeeded(ctx: BenchContext, count: number): Promise<Seeded> {
  const dir = join(BENCH_VAR, `signals-${count}`);
  const fingerprint = await itemFingerprint(ctx.config);
  try {
    const marker = JSON.parse(await readFile(join(dir, 'seed.json'), 'utf8')) as Marker;
    if (
      marker.version === SEED_VERSION &&
      marker.count === count &&
      marker.fingerprint === fingerprint
    ) {
      return {
        dir,
        count,
        handovers: marker.handovers,
        due: marker.due,
        seededOn: marker.seededOn,
      };
    }
    ctx.log(`seed: ${dir} is from another generator or item shape; seeding it again`);
  } catch {
    // not seeded yet
  }
  const t0 = performance.now();
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const stats = await seed(ctx, dir, count);
  const marker: Marker = {
    dir,
    count,
    ...stats,
    version: SEED_VERSION,
    fingerprint,
    seconds: Math.round((performance.now() - t0) / 1000),
    at: new Date().toISOString(),
  };
  await writeFile(join(dir, 'seed.json'), `${JSON.stringify(marker, null, 2)}\n`);
  ctx.log(`seed: ${count} signals in ${marker.seconds} s (${stats.handovers} handovers)`);
  return { dir, count, ...stats };
}

/** Changes when the table definition or the stored item's attributes change. */
async function itemFingerprint(config: Config): Promise<string> {
  const [template] = await templates(
    config,
    rng(1),
    1,
    new EncryptionSdkCrypto(rawAesKeyring(new Uint8Array(32))),
  );
  if (!template) throw new Error('no template signal');
  const item = await itemOf(template.record);
  return createHash('sha256')
    .update(JSON.stringify(createTableInput(DEFAULTS.tableName)))
    .update(Object.keys(item).sort().join(','))
    .digest('hex')
    .slice(0, 16);
}

type Template = { record: SignalRecord; submission: SignalSubmission };

/** Signals made by the real use case (real encryption, real templates), captured instead of stored. */
async function templates(
  config: Config,
  r: Rng,
  n: number,
  crypto: EncryptionSdkCrypto,
): Promise<Template[]> {
  const out: Template[] = [];
  for (let i = 0; i < n; i++) {
    const submission = generatedSubmission(config, r);
    let record: SignalRecord | undefined;
    // submitSignal reads, counts and creates; nothing else of the port is used.
    const capture = {
      get: async () => undefined,
      nextSequence: async () => i + 1,
      create: async (rec: SignalRecord) => {
        record = rec;
        return { created: true as const };
      },
    } as unknown as SignalStore;
    await submitSignal(
      { config, store: capture, crypto, clock: systemClock, ids: randomIds, render: emailRenderer },
      { submission, channel: r() < 0.8 ? 'form' : 'email', idempotencyKey: `bench-template-${i}` },
    );
    if (!record) throw new Error('submitSignal stored nothing');
    out.push({ record, submission });
  }
  return out;
}

function generatedSubmission(config: Config, r: Rng): SignalSubmission {
  return submissionOf(fakeSignal(r, config.teams), `medewerker@${config.staffDomains[0]}`);
}

/**
 * Moves the year's real sequence counter to `to`, so signals made after
 * seeding continue the numbering: the counter's own UpdateItem (captured from
 * `DynamoSignalStore.nextSequence`) with its increment of 1 made `to`, then
 * checked by drawing the next number for real.
 */
async function advanceSequence(
  doc: DynamoDBDocumentClient,
  table: string,
  year: number,
  to: number,
) {
  let input: UpdateCommandInput | undefined;
  const capture = {
    send: async (command: { input: UpdateCommandInput }) => {
      input = command.input;
      return { Attributes: { n: 1 } };
    },
  } as unknown as DynamoDBDocumentClient;
  await new DynamoSignalStore(capture, table).nextSequence(year);
  if (!input?.ExpressionAttributeValues) throw new Error('nextSequence sent no update');
  const values = Object.fromEntries(
    Object.entries(input.ExpressionAttributeValues).map(([k, v]) => [k, v === 1 ? to : v]),
  );
  await doc.send(new UpdateCommand({ ...input, ExpressionAttributeValues: values }));
  const next = await new DynamoSignalStore(doc, table).nextSequence(year);
  if (next !== to + 1) throw new Error(`sequence ${year} is at ${next - 1}, expected ${to}`);
}

/** The exact item `DynamoSignalStore.create` writes for a signal whose mails were all sent. */
async function itemOf(record: SignalRecord): Promise<Record<string, unknown>> {
  let item: Record<string, unknown> | undefined;
  const capture = {
    send: async (command: { input: { Item?: Record<string, unknown> } }) => {
      item = command.input.Item;
      return {};
    },
  } as unknown as DynamoDBDocumentClient;
  await new DynamoSignalStore(capture, DEFAULTS.tableName).create(record, []);
  if (!item) throw new Error('DynamoSignalStore.create wrote no item');
  return item;
}

async function seed(ctx: BenchContext, dir: string, count: number) {
  const { config } = ctx;
  const r = rng(count);
  // The same places the local runtime keeps its database and keys (functions/local/runtime.ts).
  const dynamo = await startEmbeddedDynamo({ path: join(dir, 'dynamodb') });
  const doc = documentClient({ endpoint: dynamo.endpoint });
  try {
    const table = DEFAULTS.tableName;
    await ensureTable(doc, table);
    const crypto = new EncryptionSdkCrypto(
      rawAesKeyring(await loadOrCreateKey(join(dir, 'keys', 'data-encryption.key'))),
    );
    const blindIndex = new HmacBlindIndex(
      await loadOrCreateKey(join(dir, 'keys', 'blind-index.key')),
    );
    const bix = new DynamoBlindIndexStore(doc, table);
    const pool = await templates(config, r, Math.min(TEMPLATES, count), crypto);

    const now = Date.now();
    const start = now - YEARS * 365 * DAY;
    // The signals with a due handover are among the recent ones, like in real life.
    const dueAt = new Set(
      some(
        r,
        [...Array(Math.min(count, 400)).keys()].map((k) => count - 1 - k),
        DUE_HANDOVERS,
        DUE_HANDOVERS,
      ),
    );
    const sequences = new Map<number, number>();
    let handovers = 0;
    let done = 0;
    const CHUNK = 500;
    for (let from = 0; from < count; from += CHUNK) {
      const n = Math.min(CHUNK, count - from);
      const received = [...Array(n).keys()].map(
        (k) => new Date(start + ((from + k + r()) / count) * (now - DAY - start)),
      );
      const references = received.map((at) => {
        const year = amsterdamYear(at);
        const n = (sequences.get(year) ?? 0) + 1;
        sequences.set(year, n);
        return formatReference(config.referencePrefix, year, n);
      });
      const items: Record<string, unknown>[] = [];
      const entries: BlindIndexEntry[] = [];
      const capture: BlindIndexStore = {
        put: async (e) => void entries.push(...e),
        query: async () => [],
      };
      for (let k = 0; k < n; k++) {
        const i = from + k;
        const template = pool[i % pool.length] as Template;
        const submission = generatedSubmission(config, r);
        const record = clone(config, r, template.record, submission, {
          id: idFromKey(template.record.channel, `bench-seed-${count}-${i}`),
          reference: references[k] as string,
          receivedAt: received[k] as Date,
          now,
          due: dueAt.has(i),
        });
        handovers += record.handovers?.length ?? 0;
        items.push(await itemOf(record));
        await indexSignal({ blindIndex, blindIndexStore: capture }, record, submission.content);
      }
      await batchWrite(doc, table, items);
      await Promise.all(chunks(entries, 100).map((part) => bix.put(part)));
      done += n;
      if (done % 10_000 === 0 || done === count) ctx.log(`seed: ${done}/${count}`);
    }
    for (const [year, n] of sequences) await advanceSequence(doc, table, year, n);
    return { handovers, due: dueAt.size, seededOn: amsterdamDate(new Date(now)) };
  } finally {
    doc.destroy();
    await dynamo.close();
  }
}

function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

async function batchWrite(
  doc: DynamoDBDocumentClient,
  table: string,
  items: Record<string, unknown>[],
) {
  const batches = chunks(items, 25);
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++] as Record<string, unknown>[];
      let requests = batch.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length; attempt++) {
        if (attempt > 10) throw new Error('BatchWriteItem kept leaving items unprocessed');
        const res = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
        requests = (res.UnprocessedItems?.[table] ?? []) as typeof requests;
      }
    }
  };
  await Promise.all([...Array(4)].map(worker));
}

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Where a signal of this age usually is in the route (appendix 4.2). */
function statusFor(r: Rng, ageDays: number, due: boolean): SignalStatus {
  if (due) return 'handed_over';
  const x = r();
  if (ageDays < 14) return x < 0.5 ? 'received' : x < 0.8 ? 'in_progress' : 'handed_over';
  if (ageDays < 60) {
    if (x < 0.15) return 'in_progress';
    if (x < 0.6) return 'handed_over';
    if (x < 0.8) return 'feedback_received';
    return x < 0.9 ? 'reporter_informed' : 'closed';
  }
  if (ageDays < 365) {
    if (x < 0.1) return 'feedback_received';
    return x < 0.25 ? 'reporter_informed' : 'closed';
  }
  return x < 0.03 ? 'reporter_informed' : 'closed';
}

/** The care coordinator always; the police for acute danger; the inspectorate for labour. */
function partnersFor(r: Rng, config: Config, s: SignalSubmission): Partner[] {
  const always = config.partners.filter((p) => p.alwaysInclude);
  const suggested = config.partners.filter(
    (p) =>
      !p.alwaysInclude &&
      ((p.suggestFor.includes('acute') && s.classification.urgency === 'acute') ||
        (p.suggestFor.includes('labour') && s.classification.exploitationForm === 'labour')),
  );
  const others = config.partners.filter((p) => !p.alwaysInclude && !suggested.includes(p));
  return [...always, ...suggested, ...(r() < 0.3 ? [pick(r, others)] : [])];
}

function clone(
  config: Config,
  r: Rng,
  template: SignalRecord,
  s: SignalSubmission,
  o: { id: string; reference: string; receivedAt: Date; now: number; due: boolean },
): SignalRecord {
  const officer = config.officers[0] ?? 'aandachtsfunctionaris@example.org';
  const received = o.receivedAt.getTime();
  const status = statusFor(r, (o.now - received) / DAY, o.due);
  let at = received;
  const later = (minDays: number, maxDays: number) => {
    at = Math.min(at + int(r, minDays * 24, maxDays * 24) * 3_600_000, o.now - 60_000);
    return new Date(at).toISOString();
  };
  const events: SignalEvent[] = [
    {
      at: o.receivedAt.toISOString(),
      actor: 'melder',
      type: 'received',
      detail: template.channel === 'form' ? 'via webformulier' : 'via e-mail',
    },
  ];
  if (status !== 'received') {
    events.push({ at: later(0, 2), actor: officer, type: 'status', detail: 'In behandeling' });
  }
  const handovers: Handover[] = [];
  if (['handed_over', 'feedback_received', 'reporter_informed', 'closed'].includes(status)) {
    const handedOver = status !== 'closed' || r() < 0.7;
    if (handedOver) {
      const sentAt = later(1, 5);
      for (const [n, partner] of partnersFor(r, config, s).entries()) {
        const open = status === 'handed_over';
        const dueMs = open
          ? o.due
            ? o.now - int(r, 0, 4) * DAY
            : o.now + int(r, 5, 20) * DAY
          : Date.parse(sentAt) + 14 * DAY;
        const answered = !open && r() < 0.85;
        handovers.push({
          id: `h${n + 1}`,
          partnerId: partner.id,
          state: open ? 'open' : answered ? 'feedback_received' : 'no_response',
          sentAt,
          sentBy: officer,
          dueDate: isoDate(dueMs),
          tokenVersion: 1,
          tokenExpiresAt: new Date(Date.parse(sentAt) + 30 * DAY).toISOString(),
          textInEmail: partner.textInEmail,
          textCipher: template.contentCipher,
          feedback: answered
            ? [
                {
                  n: 1,
                  at: later(2, 12),
                  by: partner.email,
                  cipher: template.contentCipher,
                  via: 'page' as const,
                },
              ]
            : [],
          history: [{ at: sentAt, actor: officer, type: 'sent', detail: partner.name }],
        });
        events.push({ at: sentAt, actor: officer, type: 'handed_over', detail: partner.name });
      }
    }
  }
  let outcome: Outcome | undefined;
  let closedAt: string | undefined;
  if (status === 'reporter_informed' || status === 'closed') {
    events.push({ at: later(1, 10), actor: officer, type: 'reporter_informed' });
  }
  if (status === 'closed') {
    outcome = handovers.length
      ? 'handed_over'
      : pick(r, ['no_follow_up', 'overleg', 'merged'] as const);
    closedAt = later(0, 20);
    events.push({ at: closedAt, actor: officer, type: 'closed', detail: outcome });
  }
  const updatedAt = events.at(-1)?.at ?? o.receivedAt.toISOString();
  return {
    ...template,
    id: o.id,
    reference: o.reference,
    status,
    classification: { ...template.classification, ...s.classification },
    receivedAt: o.receivedAt.toISOString(),
    updatedAt,
    version: events.length,
    events,
    ...(handovers.length ? { handovers } : {}),
    ...(outcome ? { outcome } : {}),
    ...(closedAt ? { closedAt } : {}),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  quietAwsSdk();
  const count = Number(process.argv[2] ?? 100_000);
  if (!Number.isInteger(count) || count < 1) {
    console.error('Usage: npm run bench:seed -- <number of signals>');
    process.exit(2);
  }
  const ctx = await benchContext('full', (m) => process.stderr.write(`[bench] ${m}\n`));
  try {
    const seeded = await ensureSeeded(ctx, count);
    console.log(
      `${seeded.dir}: ${seeded.count} signals, ${seeded.handovers} handovers, ${seeded.due} due`,
    );
  } finally {
    await rm(ctx.scratch, { recursive: true, force: true });
  }
}
