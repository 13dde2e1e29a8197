import { describe, expect, it } from 'vitest';
import {
  atLeast,
  atMost,
  countAtMost,
  exitCode,
  failed,
  formatNumber,
  formatTable,
  inIssueOrder,
  measured,
  notMeasured,
} from '../../bench/lib/harness.ts';
import { median, percentile } from '../../bench/lib/stats.ts';

/** The pure parts of `npm run bench`: no timing here, only how figures are judged and shown. */
describe('benchmark budgets', () => {
  it('judges a time against its baseline as a ratio', () => {
    const ok = measured({
      metric: 'form',
      unit: 'ms',
      value: 30,
      baseline: { label: 'PutItem + encrypt', value: 12 },
      budget: atMost(3),
    });
    expect(ok).toMatchObject({ status: 'measured', ratio: 2.5, holds: true });
    const slow = measured({
      ...ok,
      metric: 'form',
      unit: 'ms',
      value: 40,
      baseline: { label: 'x', value: 12 },
      budget: atMost(3),
    });
    expect(slow).toMatchObject({ holds: false });
  });

  it('judges throughput from below', () => {
    const row = measured({
      metric: 'healthz',
      unit: 'req/s',
      value: 9_000,
      baseline: { label: 'bare', value: 10_000 },
      budget: atLeast(0.8),
    });
    expect(row).toMatchObject({ ratio: 0.9, holds: true });
  });

  it('judges a count against a fixed limit, without a ratio', () => {
    const row = measured({ metric: 'kms', unit: 'calls', value: 3, budget: countAtMost(2) });
    expect(row).toMatchObject({ holds: false });
    expect('ratio' in row).toBe(false);
  });

  it('never passes a zero or missing baseline', () => {
    const row = measured({
      metric: 'x',
      unit: 'ms',
      value: 1,
      baseline: { label: 'broken', value: 0 },
      budget: atMost(3),
    });
    expect(row).toMatchObject({ holds: false });
    expect(() => measured({ metric: 'x', unit: 'ms', value: 1, budget: atMost(3) })).toThrow();
  });

  it('exits non-zero for a missed budget or a failed measurement, not for "not measured yet"', () => {
    const pass = measured({
      metric: 'a',
      unit: 'ms',
      value: 1,
      baseline: { label: 'b', value: 1 },
      budget: atMost(2),
    });
    const miss = measured({
      metric: 'a',
      unit: 'ms',
      value: 3,
      baseline: { label: 'b', value: 1 },
      budget: atMost(2),
    });
    const later = notMeasured('b', atMost(2), 'the code does not exist yet');
    expect(exitCode([pass, later])).toBe(0);
    expect(exitCode([pass, miss])).toBe(1);
    expect(exitCode([pass, failed('c', atMost(2), new Error('server did not start\nlogs'))])).toBe(
      1,
    );
  });
});

describe('the benchmark table', () => {
  const rows = [
    measured({ metric: 'KMS calls: new signal', unit: 'calls', value: 2, budget: countAtMost(2) }),
    notMeasured(
      'Lambda bundle size: ses-inbound',
      atMost(1.25),
      'functions/handlers/ses-inbound.ts does not exist yet',
    ),
    measured({
      metric: 'staff form POST (p50)',
      unit: 'ms',
      value: 36.5,
      baseline: { label: 'PutItem + encrypt', value: 12.2 },
      budget: atMost(3),
    }),
    failed('mail intake', atMost(2), new Error('parser worker exited with 1\nstack')),
  ];

  it('shows every row with value, baseline, ratio, budget and verdict, in the issue order', () => {
    const lines = formatTable(inIssueOrder(rows)).split('\n');
    expect(lines[0]).toMatch(
      /^\| metric +\| value +\| baseline +\| ratio +\| budget +\| holds\? +\|$/,
    );
    expect(lines[2]).toContain('staff form POST (p50)');
    expect(lines[2]).toContain('36.5 ms');
    expect(lines[2]).toContain('12.2 ms (PutItem + encrypt)');
    expect(lines[2]).toContain('2.99×');
    expect(lines[2]).toContain('≤ 3×');
    expect(lines[3]).toContain('failed: parser worker exited with 1');
    expect(lines[3]).not.toContain('stack');
    expect(lines[4]).toContain(
      'not measured yet: functions/handlers/ses-inbound.ts does not exist yet',
    );
    expect(lines[5]).toMatch(/KMS calls: new signal +\| 2 calls .*\| ≤ 2 +\| yes/);
    // Every line is as wide as the header: a table that reads in a terminal.
    expect(new Set(lines.map((l) => [...l].length)).size).toBe(1);
  });

  it('writes small times in microseconds and sizes in KiB or MiB', () => {
    expect(formatNumber(0.0042, 'ms')).toBe('4.2 µs');
    expect(formatNumber(5.19, 'ms')).toBe('5.19 ms');
    expect(formatNumber(376_115, 'bytes')).toBe('367.3 KiB');
    expect(formatNumber(1_541_000, 'bytes')).toBe('1.47 MiB');
    expect(formatNumber(11_367.4, 'req/s')).toBe('11,367 req/s');
  });
});

describe('percentiles of timing samples', () => {
  it('interpolates between ranks', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(percentile([10, 20, 30, 40, 50], 95)).toBeCloseTo(48);
    expect(Number.isNaN(median([]))).toBe(true);
  });
});
