import { type CsvRow, publishedRows } from './csv.ts';
import { MEASURE_KINDS } from './figures.ts';
import type { Period } from './period.ts';
import {
  type Cell,
  type Interval,
  type Published,
  type PublishedFigures,
  protectPartitions,
} from './suppression.ts';

/**
 * The regional table (policy §4.4: the municipalities of the base-team area
 * share their figures twice a year). Combines several municipalities'
 * published exports. It only ever sees published values, so it cannot undo
 * a municipality's suppression: a combined count whose part was hidden is
 * hidden too, with the bounds its parts allow, and then the same secondary
 * suppression runs on the combined table (a reader who has only the
 * regional table cannot work out a small combined count either).
 * Medians do not add up: statistics stay per municipality.
 */

export const REGION = 'regio';

export type Merged = { figures: PublishedFigures; rows: CsvRow[]; municipalities: string[] };

export class MergeError extends Error {
  override readonly name = 'MergeError';
  readonly code = 'MERGE_INVALID';
}

function partBounds(value: string, threshold: number): Interval {
  if (value === 'x') return { lo: threshold, hi: Number.POSITIVE_INFINITY };
  if (value.startsWith('<')) return { lo: 0, hi: Number(value.slice(1)) - 1 };
  const n = Number(value);
  return { lo: n, hi: n };
}

export function mergeExports(inputs: readonly CsvRow[][], threshold: number): Merged {
  const all = inputs.flat();
  const periods = new Set(all.map((r) => r.period));
  if (periods.size !== 1)
    throw new MergeError(`the exports cover different periods: ${[...periods].join(', ')}`);
  const [from, to] = [...periods][0]?.split('/') ?? [];
  const period: Period = { from: from ?? '', to: to ?? '' };
  const municipalities: string[] = [];
  for (const rows of inputs) {
    const names = new Set(rows.map((r) => r.municipality));
    if (names.size !== 1) throw new MergeError('each export must hold exactly one municipality');
    const name = [...names][0] as string;
    if (municipalities.includes(name)) throw new MergeError(`municipality ${name} appears twice`);
    municipalities.push(name);
  }
  const unknown = all.find((r) => !MEASURE_KINDS[r.measure]);
  if (unknown) throw new MergeError(`unknown measure ${unknown.measure}`);

  const measures: Published[] = [];
  for (const [code, def] of Object.entries(MEASURE_KINDS)) {
    if (def.kind === 'stats') continue;
    const breakdowns = [...new Set(all.filter((r) => r.measure === code).map((r) => r.breakdown))];
    const combine = (breakdown: string): Cell => {
      // A municipality without this row (a team it does not have) counts 0.
      const parts = inputs.map(
        (rows) => rows.find((r) => r.measure === code && r.breakdown === breakdown)?.value ?? '0',
      );
      const ranges = parts.map((v) => partBounds(v, threshold));
      if (ranges.every((r) => r.lo === r.hi)) {
        const value = ranges.reduce((s, r) => s + r.lo, 0);
        return value < threshold
          ? { breakdown, value, hidden: 'small', prior: { lo: 0, hi: threshold - 1 } }
          : { breakdown, value };
      }
      const prior = ranges.reduce((s, r) => ({ lo: s.lo + r.lo, hi: s.hi + r.hi }), {
        lo: 0,
        hi: 0,
      });
      return { breakdown, hidden: 'inherited', prior };
    };
    if (def.kind === 'partition') {
      measures.push({
        code,
        kind: 'partition',
        base: def.base,
        rows: breakdowns.filter((b) => b !== 'total').map(combine),
        total: combine('total'),
      });
    } else {
      measures.push({ code, kind: 'multi', rows: breakdowns.map(combine) });
    }
  }
  protectPartitions(measures, threshold);
  const figures: PublishedFigures = { period, threshold, measures };
  const stats = all.filter((r) => MEASURE_KINDS[r.measure]?.kind === 'stats');
  return { figures, rows: [...publishedRows(REGION, figures), ...stats], municipalities };
}
