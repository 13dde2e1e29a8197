/**
 * The pure part of the benchmark harness: rows, budgets, the table and the
 * JSON. No timing and no I/O here, so test/unit/bench-harness.test.ts can
 * check it without running a benchmark.
 */

export type Unit = 'ms' | 'req/s' | 'bytes' | 'MB' | 'calls' | 'items';

/**
 * `ratio`: value / baseline compared with `limit` (both measured in the same run).
 * `absolute`: value compared with `limit` directly (counts, such as KMS calls).
 */
export type Budget = { kind: 'ratio' | 'absolute'; op: '<=' | '>='; limit: number };

export type Row =
  | {
      status: 'measured';
      metric: string;
      unit: Unit;
      value: number;
      /** What the value is compared with; absent for absolute budgets without one. */
      baseline?: { label: string; value: number };
      ratio?: number;
      budget: Budget;
      holds: boolean;
      note?: string;
    }
  | { status: 'not-measured'; metric: string; budget: Budget; reason: string }
  /** The measurement itself broke: counts as a missed budget, never as a pass. */
  | { status: 'failed'; metric: string; budget: Budget; reason: string };

export type MeasuredInput = {
  metric: string;
  unit: Unit;
  value: number;
  baseline?: { label: string; value: number };
  budget: Budget;
  note?: string;
};

export function compare(x: number, op: Budget['op'], limit: number): boolean {
  if (!Number.isFinite(x)) return false;
  return op === '<=' ? x <= limit : x >= limit;
}

/** Computes the ratio (when there is a baseline) and whether the budget holds. */
export function measured(input: MeasuredInput): Row {
  const { budget, baseline } = input;
  if (budget.kind === 'ratio') {
    if (!baseline) throw new Error(`${input.metric}: a ratio budget needs a baseline`);
    const ratio = baseline.value > 0 ? input.value / baseline.value : Number.POSITIVE_INFINITY;
    return {
      status: 'measured',
      ...input,
      ratio,
      holds: compare(ratio, budget.op, budget.limit),
    };
  }
  const row: Row = {
    status: 'measured',
    ...input,
    holds: compare(input.value, budget.op, budget.limit),
  };
  if (baseline && baseline.value > 0) row.ratio = input.value / baseline.value;
  return row;
}

export function notMeasured(metric: string, budget: Budget, reason: string): Row {
  return { status: 'not-measured', metric, budget, reason };
}

export function failed(metric: string, budget: Budget, error: unknown): Row {
  const reason = error instanceof Error ? error.message : String(error);
  return { status: 'failed', metric, budget, reason: reason.split('\n')[0] ?? 'unknown error' };
}

/** Budget helpers, so suites read like the issue's table. */
export const atMost = (limit: number): Budget => ({ kind: 'ratio', op: '<=', limit });
export const atLeast = (limit: number): Budget => ({ kind: 'ratio', op: '>=', limit });
export const countAtMost = (limit: number): Budget => ({ kind: 'absolute', op: '<=', limit });

/** Non-zero when a measured budget is missed or a measurement failed; "not measured yet" passes. */
export function exitCode(rows: readonly Row[]): 0 | 1 {
  return rows.some((r) => r.status === 'failed' || (r.status === 'measured' && !r.holds)) ? 1 : 0;
}

export function formatNumber(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return String(value);
  switch (unit) {
    case 'ms':
      if (value < 0.1) return `${(value * 1000).toFixed(1)} µs`;
      return `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0)} ms`;
    case 'req/s':
      return `${Math.round(value).toLocaleString('en-US')} req/s`;
    case 'bytes':
      return value >= 1024 * 1024
        ? `${(value / 1024 / 1024).toFixed(2)} MiB`
        : `${(value / 1024).toFixed(1)} KiB`;
    case 'MB':
      return `${value.toFixed(1)} MB`;
    case 'calls':
    case 'items':
      return `${value} ${unit}`;
  }
}

export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return String(ratio);
  return ratio < 0.01 ? `${ratio.toFixed(4)}×` : `${ratio.toFixed(2)}×`;
}

export function formatBudget(b: Budget): string {
  const op = b.op === '<=' ? '≤' : '≥';
  return b.kind === 'ratio' ? `${op} ${b.limit}×` : `${op} ${b.limit}`;
}

export const TABLE_HEADER = ['metric', 'value', 'baseline', 'ratio', 'budget', 'holds?'] as const;

export function tableCells(row: Row): string[] {
  const budget = formatBudget(row.budget);
  if (row.status === 'measured') {
    const baseline = row.baseline
      ? `${formatNumber(row.baseline.value, row.unit)} (${row.baseline.label})`
      : '—';
    return [
      row.metric,
      formatNumber(row.value, row.unit),
      baseline,
      row.ratio === undefined ? '—' : formatRatio(row.ratio),
      budget,
      row.holds ? 'yes' : 'NO',
    ];
  }
  if (row.status === 'failed') {
    return [row.metric, `failed: ${row.reason}`, '—', '—', budget, 'NO'];
  }
  return [row.metric, `not measured yet: ${row.reason}`, '—', '—', budget, '—'];
}

/** A Markdown table, padded so it also reads well in a terminal. */
export function formatTable(rows: readonly Row[]): string {
  const cells = [TABLE_HEADER.slice(), ...rows.map(tableCells)].map((r) =>
    r.map((c) => c.replaceAll('|', '\\|')),
  );
  const widths = TABLE_HEADER.map((_, i) =>
    Math.max(...cells.map((r) => [...(r[i] ?? '')].length)),
  );
  const line = (r: string[]) =>
    `| ${r.map((c, i) => c + ' '.repeat((widths[i] ?? 0) - [...c].length)).join(' | ')} |`;
  const [header, ...body] = cells;
  return [
    line(header ?? []),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...body.map(line),
  ].join('\n');
}

/** The issue's table order (issue 8), by the start of each metric's name. */
const ISSUE_ORDER = [
  'staff form POST',
  'officer inbox list page',
  '"already known" lookup',
  'reminder job',
  'mail intake',
  'rendering one notification email',
  'HTTP throughput of GET /healthz',
  'Lambda bundle size',
  'Lambda cold start',
  'KMS calls',
  'memory:',
];

export function inIssueOrder(rows: readonly Row[]): Row[] {
  const rank = (r: Row) => {
    const i = ISSUE_ORDER.findIndex((prefix) => r.metric.startsWith(prefix));
    return i < 0 ? ISSUE_ORDER.length : i;
  };
  return rows
    .map((row, i) => ({ row, i }))
    .sort((a, b) => rank(a.row) - rank(b.row) || a.i - b.i)
    .map((x) => x.row);
}

export type RunReport = {
  generatedAt: string;
  mode: 'full' | 'quick';
  machine: { node: string; platform: string; cpus: number; cpuModel: string; memoryGiB: number };
  /** True when every measured budget holds and no measurement failed. */
  ok: boolean;
  rows: Row[];
};

export function report(
  rows: Row[],
  mode: RunReport['mode'],
  machine: RunReport['machine'],
  now: Date,
): RunReport {
  return { generatedAt: now.toISOString(), mode, machine, ok: exitCode(rows) === 0, rows };
}
