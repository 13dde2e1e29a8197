/**
 * `npm run bench`: every benchmark under bench/suites, one table, the same as
 * JSON in bench/results/latest.json. Each figure is a ratio against a
 * baseline measured in the same run on the same machine.
 *
 *   npm run bench                  full run (100,000 seeded signals; first run seeds them)
 *   npm run bench -- --quick       short mode for CI (small data, few iterations)
 *   npm run bench -- --only form,inbox   just these suites (names below)
 *
 * Exit code: 1 when a measurement failed, or (full mode) a budget is missed.
 * Quick mode runs every measurement but judges only that the harness works:
 * with tiny samples on a shared CI machine a missed budget is noise, so it is
 * printed, not enforced (add --enforce to enforce it anyway).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import {
  atMost,
  exitCode,
  failed,
  formatTable,
  inIssueOrder,
  type Row,
  report,
} from './lib/harness.ts';
import { benchContext, quietAwsSdk, ROOT } from './lib/setup.ts';
import { SUITES } from './suites/index.ts';

quietAwsSdk();
process.env.TZ ??= 'Europe/Amsterdam';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const enforce = !quick || args.includes('--enforce');
const onlyArg = args.find((a) => a.startsWith('--only'));
const only = onlyArg
  ? (onlyArg.includes('=') ? onlyArg.split('=')[1] : args[args.indexOf(onlyArg) + 1])?.split(',')
  : undefined;
const unknown = only?.filter((name) => !SUITES.some((s) => s.name === name)) ?? [];
if (unknown.length) {
  console.error(
    `Unknown suite(s): ${unknown.join(', ')}. Known: ${SUITES.map((s) => s.name).join(', ')}`,
  );
  process.exit(2);
}

const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
const ctx = await benchContext(quick ? 'quick' : 'full', log);
const rows: Row[] = [];
const started = performance.now();
try {
  for (const suite of SUITES) {
    if (only && !only.includes(suite.name)) continue;
    const t0 = performance.now();
    log(`${suite.name}: ${suite.title}`);
    try {
      rows.push(...(await suite.run(ctx)));
    } catch (err) {
      // Suites turn their own failures into rows; this is for a bug in one.
      rows.push(failed(`${suite.name}: ${suite.title}`, atMost(Number.NaN), err));
    }
    log(`${suite.name}: done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
} finally {
  await rm(ctx.scratch, { recursive: true, force: true });
}

const cpu = cpus();
const result = report(
  inIssueOrder(rows),
  ctx.mode,
  {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpu.length,
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  },
  new Date(),
);
const resultsDir = join(ROOT, 'bench', 'results');
await mkdir(resultsDir, { recursive: true });
await writeFile(join(resultsDir, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);

const table = result.rows;
console.log(formatTable(table));
// A note shared by several rows (the cold starts) is printed once, under the first.
const seen = new Set<string>();
const notes = table.flatMap((r) => {
  if (r.status !== 'measured' || !r.note || seen.has(r.note)) return [];
  seen.add(r.note);
  return [`- ${r.metric}: ${r.note}`];
});
if (notes.length) console.log(`\n${notes.join('\n')}`);
console.log(
  `\n${ctx.mode} run on ${result.machine.cpus} × ${result.machine.cpuModel}, Node ${process.version}, ` +
    `${((performance.now() - started) / 1000).toFixed(0)} s; written to bench/results/latest.json`,
);

const broken = rows.some((r) => r.status === 'failed');
const code = broken ? 1 : enforce ? exitCode(rows) : 0;
if (code !== 0) console.log(broken ? 'A measurement failed.' : 'A budget is missed.');
else if (!result.ok) console.log('A budget is missed (quick mode: reported, not enforced).');
process.exit(code);
