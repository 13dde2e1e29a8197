import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { parseCsv, toCsv } from '#core/monitoring/csv.ts';
import { mergeExports } from '#core/monitoring/merge.ts';
import { renderPage } from '#forms/pages/layout.tsx';
import { RegionalReport } from '#forms/pages/monitor-report.tsx';

// What goes wrong is printed with zod's message (a bad --threshold, a wrong CSV line): in English.
z.config(en());

const Args = z.object({
  files: z.array(z.string()).check(z.minLength(2, 'give at least two exports')),
  csv: z._default(z.string(), 'regio.csv'),
  html: z._default(z.string(), 'regio.html'),
  threshold: z._default(z.coerce.number().check(z.int(), z.minimum(2), z.maximum(50)), 5),
});

/**
 * `npm run report:merge -- a.csv b.csv [--csv regio.csv] [--html regio.html] [--threshold 5]`:
 * the regional table and a printable report. Needs no database: it reads
 * only the municipalities' published exports.
 */
async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { csv: { type: 'string' }, html: { type: 'string' }, threshold: { type: 'string' } },
  });
  const args = Args.safeParse({ files: positionals, ...values });
  if (!args.success) {
    throw new Error(
      `${args.error.issues[0]?.message}\nusage: npm run report:merge -- a.csv b.csv [--csv out.csv] [--html out.html]`,
    );
  }
  const inputs = await Promise.all(
    args.data.files.map(async (f) => parseCsv(await readFile(f, 'utf8'), f)),
  );
  const merged = mergeExports(inputs, args.data.threshold);
  const stylesheet = await readFile(
    new URL('../../forms/static/meldroute.css', import.meta.url),
    'utf8',
  );
  await writeFile(args.data.csv, toCsv(merged.rows));
  await writeFile(
    args.data.html,
    renderPage(
      <RegionalReport
        figures={merged.figures}
        municipalities={merged.municipalities}
        period={merged.figures.period}
        stylesheet={stylesheet}
      />,
    ),
  );
  process.stdout.write(
    `Merged ${merged.municipalities.join(', ')}: ${merged.rows.length} rows to ${args.data.csv}, report to ${args.data.html}\n`,
  );
}

main().catch((err: Error) => {
  process.stderr.write(`report:merge failed: ${err.message}\n`);
  process.exit(1);
});
