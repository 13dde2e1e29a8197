import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import * as z from 'zod/mini';
import { systemClock } from '#adapters/system.ts';
import { PeriodSchema } from '#core/monitoring/period.ts';
import { regionalExport } from '#core/use-cases/monitoring.ts';
import { openLocal } from './offline.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const Args = z.object({ from: z.string(), to: z.string(), out: z.string().check(z.minLength(1)) });

/** `npm run report -- --from 2026-01-01 --to 2026-06-30 --out montfoort.csv`: the regional CSV. */
async function main() {
  const { values } = parseArgs({
    options: { from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' } },
  });
  const args = Args.safeParse(values);
  if (!args.success)
    throw new Error('usage: npm run report -- --from yyyy-mm-dd --to yyyy-mm-dd --out file.csv');
  const period = PeriodSchema.safeParse({ from: args.data.from, to: args.data.to });
  if (!period.success)
    throw new Error(
      `invalid period: ${period.error.issues.map((i) => i.path.join('.') || 'period').join(', ')} (use yyyy-mm-dd, from before to)`,
    );
  const local = await openLocal(systemClock);
  try {
    const { csv, rows } = await regionalExport(local, period.data);
    await writeFile(args.data.out, csv);
    process.stdout.write(
      `Wrote ${rows.length} rows for ${period.data.from}..${period.data.to} to ${args.data.out}\n`,
    );
  } finally {
    await local.close();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`report failed: ${err.message}\n`);
  process.exit(1);
});
