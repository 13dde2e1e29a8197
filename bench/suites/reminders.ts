/**
 * The reminder job with the seeded handovers (full: 100,000 signals with
 * about 110,000 handovers; quick: 10,000) of which a handful are due: the
 * items it reads from DynamoDB, against the number due plus one page.
 *
 * The job runs as local mode wires it (functions/local/reminders.ts) on the
 * seeded database, as a dry run (it reads exactly what a real run reads before
 * writing, and leaves the seeded data as it is), on the first working day
 * after the day the data was seeded, so "due" means the same on every run.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EncryptionSdkCrypto, rawAesKeyring } from '#adapters/crypto/encryption-sdk.ts';
import { HmacLinkSigner } from '#adapters/crypto/hmac.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import { startEmbeddedDynamo } from '#adapters/dynamo/embedded.ts';
import { systemClock } from '#adapters/system.ts';
import { DEFAULTS } from '#config/env.ts';
import { isWorkingDay } from '#core/working-days.ts';
import { localReminders } from '#local/reminders.ts';
import { emailRenderer } from '#templates/render.ts';
import { countAtMost, failed, measured, type Row } from '../lib/harness.ts';
import type { BenchContext } from '../lib/setup.ts';
import { ensureSeeded } from '../seed.ts';

export const REMINDERS = 'reminder job: items read from DynamoDB';
/** runReminders reads the due index in pages of this many (functions/core/use-cases/reminders/run-reminders.ts). */
const PAGE = 50;

export async function remindersSuite(ctx: BenchContext): Promise<Row[]> {
  const count = ctx.quick ? 10_000 : 100_000;
  let budget = countAtMost(PAGE);
  try {
    const seeded = await ensureSeeded(ctx, count);
    budget = countAtMost(seeded.due + PAGE);
    const dynamo = await startEmbeddedDynamo({ path: join(seeded.dir, 'dynamodb') });
    const doc = documentClient({ endpoint: dynamo.endpoint });
    try {
      const reads = { items: 0, requests: 0 };
      const jobs = localReminders({
        config: ctx.config,
        doc: counting(doc, reads),
        table: DEFAULTS.tableName,
        crypto: new EncryptionSdkCrypto(rawAesKeyring(randomBytes(32))),
        clock: systemClock,
        render: emailRenderer,
        linkSigner: new HmacLinkSigner(randomBytes(32)),
        logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      });
      const day = nextWorkingDay(seeded.seededOn);
      const run = await jobs.reminders({ now: new Date(`${day}T07:00:00Z`), dryRun: true });
      if (run.failed.length)
        throw new Error(`${run.failed.length} signals failed: ${run.failed[0]?.error}`);
      return [
        measured({
          metric: `${REMINDERS} (${seeded.handovers.toLocaleString('en-US')} handovers, ${seeded.due} due)`,
          unit: 'items',
          value: reads.items,
          budget,
          note: `${reads.requests} requests; ${run.checked} signals checked, ${run.actions.length} reminders or escalations planned (dry run on ${day}); budget = due + one page of ${PAGE}`,
        }),
      ];
    } finally {
      doc.destroy();
      await dynamo.close();
    }
  } catch (err) {
    return [failed(REMINDERS, budget, err)];
  }
}

/** The first working day after `date` (a run on a weekend or holiday reads nothing). */
function nextWorkingDay(date: string): string {
  let t = Date.parse(`${date}T12:00:00Z`);
  do t += 86_400_000;
  while (!isWorkingDay(new Date(t).toISOString().slice(0, 10)));
  return new Date(t).toISOString().slice(0, 10);
}

/** The same client, counting the items each read returns (Query/Scan: scanned; Get: one). */
function counting(
  doc: DynamoDBDocumentClient,
  reads: { items: number; requests: number },
): DynamoDBDocumentClient {
  const send = async (command: unknown) => {
    const out = (await doc.send(command as never)) as {
      Item?: unknown;
      ScannedCount?: number;
      Responses?: Record<string, unknown[]>;
    };
    const name = (command as object).constructor.name;
    if (/^(Get|Query|Scan|BatchGet)Command$/.test(name)) {
      reads.requests++;
      if (out.ScannedCount !== undefined) reads.items += out.ScannedCount;
      else if (out.Responses) reads.items += Object.values(out.Responses).flat().length;
      else if (out.Item) reads.items += 1;
    }
    return out;
  };
  return new Proxy(doc, {
    get: (target, prop, receiver) => (prop === 'send' ? send : Reflect.get(target, prop, receiver)),
  });
}
