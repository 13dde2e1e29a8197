import type { Figures, Measure } from './figures.ts';

/**
 * Small-cell suppression for the shared figures (policy §4.4: shared figures
 * are anonymised).
 *
 * - Primary: every count below the threshold is hidden and written `<t`.
 * - Secondary (complementary): in a partition measure the rows add up to a
 *   total, so one hidden row could be recovered by subtraction, two hidden
 *   rows sometimes by their bounds (two rows `<5` with a known sum of 8 are
 *   both 4). As long as some hidden count between 1 and t-1 can be pinned to
 *   one value by interval reasoning on the published rows, the smallest
 *   visible row is hidden too, written `x`; when no row is left, the
 *   total of that base is hidden in every measure that shares it.
 * - Statistics (median, p90) are shown only when they rest on at least t values.
 *
 * The same engine protects a merged regional table, where a combined cell
 * whose part was hidden is itself hidden with the bounds its parts allow.
 * What a reader can still infer is exactly `feasibleIntervals` (one linear
 * equation with box bounds; for ±1 coefficients the interval projection is exact).
 */

export type Interval = { lo: number; hi: number };

export type Cell = {
  breakdown: string;
  /** The true value, when the publisher knows it (not for inherited hidden cells in a merge). */
  value?: number;
  /** undefined: shown. */
  hidden?: 'small' | 'secondary' | 'inherited';
  /** What a reader knows of a hidden cell before any equation. */
  prior?: Interval;
};

export type Published =
  | { code: string; kind: 'partition'; base: string; rows: Cell[]; total: Cell }
  | { code: string; kind: 'multi'; rows: Cell[] }
  | { code: string; kind: 'stats'; rows: Cell[] };

export type PublishedFigures = {
  period: Figures['period'];
  threshold: number;
  measures: Published[];
};

/** Writes a cell the way the CSV and pages show it. */
export function shown(cell: Cell, threshold: number): string {
  const small =
    cell.hidden === 'inherited' && (cell.prior?.hi ?? Number.POSITIVE_INFINITY) < threshold;
  if (cell.hidden === 'small' || small) return `<${threshold}`;
  if (cell.hidden) return 'x';
  return String(cell.value ?? '');
}

export function bounds(cell: Cell): Interval {
  if (!cell.hidden) return { lo: cell.value ?? 0, hi: cell.value ?? 0 };
  return cell.prior ?? { lo: 0, hi: Number.POSITIVE_INFINITY };
}

/**
 * What a reader can infer about each cell from Σ coeffs[i]·x_i = 0 and the
 * cells' bounds. A hidden cell is "pinned" when lo === hi.
 */
export function feasibleIntervals(
  cells: readonly Interval[],
  coeffs: readonly number[],
): Interval[] {
  const minOf = (i: number) => {
    const a = coeffs[i] as number;
    const c = cells[i] as Interval;
    return a > 0 ? a * c.lo : a * c.hi;
  };
  const maxOf = (i: number) => {
    const a = coeffs[i] as number;
    const c = cells[i] as Interval;
    return a > 0 ? a * c.hi : a * c.lo;
  };
  return cells.map((own, k) => {
    let othersMin = 0;
    let othersMax = 0;
    for (let i = 0; i < cells.length; i++) {
      if (i === k) continue;
      othersMin += minOf(i);
      othersMax += maxOf(i);
    }
    const a = coeffs[k] as number;
    const lo = a > 0 ? -othersMax / a : -othersMin / a;
    const hi = a > 0 ? -othersMin / a : -othersMax / a;
    return { lo: Math.max(own.lo, lo), hi: Math.min(own.hi, hi) };
  });
}

/** The hidden cells of a partition a reader could pin down, as [cell, value] pairs. */
export function pinned(m: { rows: Cell[]; total: Cell }): Array<[Cell, number]> {
  const cells = [...m.rows, m.total];
  const coeffs = [...m.rows.map(() => 1), -1];
  const iv = feasibleIntervals(cells.map(bounds), coeffs);
  return cells.flatMap((c, i) => {
    const r = iv[i] as Interval;
    return c.hidden && r.lo >= r.hi ? [[c, r.lo] as [Cell, number]] : [];
  });
}

/** Whether a pin matters: it reveals a small count (or, in a merge, some part of one). */
function harmful(pins: Array<[Cell, number]>, threshold: number): boolean {
  return pins.some(([c, v]) => (c.hidden === 'inherited' ? true : v >= 1 && v < threshold));
}

const secondaryPrior = (threshold: number): Interval => ({
  lo: threshold,
  hi: Number.POSITIVE_INFINITY,
});

/** Figures with exact values → what may be published. */
export function suppress(figures: Figures, threshold: number): PublishedFigures {
  const small = (value: number): Cell['hidden'] => (value < threshold ? 'small' : undefined);
  const cell = (breakdown: string, value: number): Cell => {
    const hidden = small(value);
    return hidden
      ? { breakdown, value, hidden, prior: { lo: 0, hi: threshold - 1 } }
      : { breakdown, value };
  };
  const measures: Published[] = figures.measures.map((m: Measure): Published => {
    if (m.kind === 'partition') {
      return {
        code: m.code,
        kind: 'partition',
        base: m.base,
        rows: m.rows.map((r) => cell(r.breakdown, r.value)),
        total: cell('total', m.total),
      };
    }
    if (m.kind === 'multi')
      return { code: m.code, kind: 'multi', rows: m.rows.map((r) => cell(r.breakdown, r.value)) };
    // A median of fewer than t values says too much about the few behind it.
    const hide = m.n < threshold;
    return {
      code: m.code,
      kind: 'stats',
      rows: m.rows.map((r) =>
        hide ? { breakdown: r.breakdown, hidden: 'secondary' as const } : { ...r },
      ),
    };
  });
  protectPartitions(measures, threshold);
  return { period: figures.period, threshold, measures };
}

/**
 * Adds secondary suppression until no partition lets a reader pin a small
 * count. Terminates: every round hides at least one more cell.
 */
export function protectPartitions(measures: Published[], threshold: number): void {
  const partitions = measures.filter(
    (m): m is Extract<Published, { kind: 'partition' }> => m.kind === 'partition',
  );
  for (let changed = true; changed; ) {
    changed = false;
    for (const m of partitions) {
      while (harmful(pinned(m), threshold)) {
        const visible = m.rows
          .filter((r) => !r.hidden)
          .sort((a, b) => (a.value ?? 0) - (b.value ?? 0));
        const next = visible.find((r) => (r.value ?? 0) > 0) ?? visible[0];
        if (next) {
          next.hidden = 'secondary';
          next.prior = secondaryPrior(threshold);
        } else if (!m.total.hidden) {
          // No row left to hide: the total goes, in every measure that shares it.
          for (const o of partitions) {
            if (o.base !== m.base || o.total.hidden) continue;
            o.total.hidden = 'secondary';
            o.total.prior = secondaryPrior(threshold);
          }
        } else {
          break;
        }
        changed = true;
      }
    }
  }
}
