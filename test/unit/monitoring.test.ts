import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsv, publishedRows, toCsv } from '#core/monitoring/csv.ts';
import type { MonitoringFacts } from '#core/monitoring/facts.ts';
import { computeFigures, type Figures } from '#core/monitoring/figures.ts';
import { mergeExports } from '#core/monitoring/merge.ts';
import { currentHalfYear, periodInstants, previousPeriod } from '#core/monitoring/period.ts';
import {
  type Cell,
  feasibleIntervals,
  type Interval,
  suppress,
} from '#core/monitoring/suppression.ts';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A generated year: 120 signals, 10 a month, each property a simple function
 * of its number i, so every figure below can be worked out by hand.
 */
function generatedYear(): MonitoringFacts[] {
  return Array.from({ length: 120 }, (_, i) => {
    const received = Date.UTC(2025, i % 12, 1 + Math.floor(i / 12), 10);
    const handedOver = i % 2 === 0;
    const feedback = i % 4 === 0 ? (i % 12 === 0 ? 20 : 5) : undefined; // days after receipt
    return {
      receivedAt: iso(received),
      channel: i % 3 === 0 ? 'email' : 'form',
      reporterKind: i % 4 === 1 ? 'external' : 'internal',
      exploitationForm: ['sexual', 'labour', 'criminal', 'unknown'][i % 4] as string,
      urgency: i % 10 === 0 ? 'acute' : 'normal',
      indicators: [...(i % 2 === 0 ? ['companion'] : []), ...(i % 5 === 0 ? ['no_passport'] : [])],
      vulnerabilities: i % 6 === 0 ? ['poverty'] : [],
      ...(i % 2 === 0 ? { sourceTeam: 'Wmo' } : {}),
      status: i % 4 === 0 ? 'closed' : 'in_progress',
      ...(i % 4 === 0 ? { outcome: 'handed_over', closedAt: iso(received + 30 * DAY) } : {}),
      handovers: handedOver
        ? [
            {
              partnerId: 'zorgcoordinator',
              state: feedback ? 'feedback_received' : i % 8 === 2 ? 'no_response' : 'open',
              sentAt: iso(received + 2 * DAY),
              dueDate: iso(received + 12 * DAY).slice(0, 10),
              ...(feedback ? { feedbackAt: iso(received + feedback * DAY) } : {}),
            },
          ]
        : [],
    };
  });
}

const ctx = {
  period: { from: '2025-01-01', to: '2025-12-31' },
  now: new Date('2026-03-01T12:00:00Z'),
  teams: ['Wmo', 'Jeugd'],
  partnerIds: ['zorgcoordinator', 'nla'],
};

function rows(f: Figures, code: string): Record<string, number> {
  const m = f.measures.find((x) => x.code === code);
  if (!m) throw new Error(code);
  const out = Object.fromEntries(m.rows.map((r) => [r.breakdown, r.value]));
  return m.kind === 'partition' ? { ...out, total: m.total } : out;
}

describe('monitoring figures for a generated year', () => {
  const f = computeFigures(generatedYear(), ctx);

  it('counts signals in, per month, channel, reporter, team, form and urgency', () => {
    expect(rows(f, 'signals_received')).toEqual({ total: 120 });
    expect(Object.values(rows(f, 'signals_by_month'))).toEqual([...Array(12).fill(10), 120]);
    expect(rows(f, 'signals_by_channel')).toEqual({ form: 80, email: 40, total: 120 });
    expect(rows(f, 'signals_by_reporter_kind')).toEqual({ internal: 90, external: 30, total: 120 });
    expect(rows(f, 'signals_by_source_team')).toEqual({
      Wmo: 60,
      Jeugd: 0,
      other: 0,
      unknown: 60,
      total: 120,
    });
    expect(rows(f, 'signals_by_exploitation_form')).toMatchObject({
      sexual: 30,
      labour: 30,
      criminal: 30,
      unknown: 30,
      combination: 0,
    });
    expect(rows(f, 'signals_by_urgency')).toEqual({ normal: 108, acute: 12, total: 120 });
  });

  it('counts indicators and vulnerabilities per signal', () => {
    expect(rows(f, 'signals_by_indicator')).toMatchObject({
      companion: 60,
      no_passport: 24,
      threats: 0,
    });
    expect(rows(f, 'signals_by_vulnerability')).toMatchObject({ poverty: 20, homeless: 0 });
  });

  it('counts handovers, feedback on time, late and missing, and lead times', () => {
    expect(rows(f, 'signals_handed_over')).toEqual({ yes: 60, no: 60, total: 120 });
    expect(rows(f, 'signals_by_partner')).toEqual({ zorgcoordinator: 60, nla: 0, other: 0 });
    // 30 with feedback (10 of them at day 20, past the day-12 due date); 15 no_response; 15 open and overdue.
    expect(rows(f, 'handovers_feedback')).toEqual({
      on_time: 20,
      late: 10,
      missing: 30,
      waiting: 0,
      total: 60,
    });
    expect(rows(f, 'days_to_first_handover')).toEqual({ median: 2, p90: 2 });
    // 20 × 3 days and 10 × 18 days: median 3, nearest-rank p90 is the 27th value, 18.
    expect(rows(f, 'days_handover_to_feedback')).toEqual({ median: 3, p90: 18 });
    expect(rows(f, 'signals_by_outcome')).toEqual({
      handed_over: 30,
      overleg: 0,
      no_follow_up: 0,
      merged: 0,
      not_closed: 90,
      total: 120,
    });
  });

  it('gives zeros, not errors, when there are no handovers or outcomes yet', () => {
    const bare = generatedYear().map((s) => ({
      ...s,
      handovers: [],
      status: 'received',
      outcome: undefined,
    }));
    const g = computeFigures(bare, ctx);
    expect(rows(g, 'handovers_feedback')).toEqual({
      on_time: 0,
      late: 0,
      missing: 0,
      waiting: 0,
      total: 0,
    });
    expect(rows(g, 'days_to_first_handover')).toEqual({});
  });
});

describe('periods', () => {
  it('defaults to the current half-year in Amsterdam and compares with the one before', () => {
    expect(currentHalfYear(new Date('2026-06-30T22:30:00Z'))).toEqual({
      from: '2026-07-01',
      to: '2026-12-31',
    });
    expect(previousPeriod({ from: '2026-01-01', to: '2026-06-30' })).toEqual({
      from: '2025-07-01',
      to: '2025-12-31',
    });
    expect(periodInstants({ from: '2026-01-01', to: '2026-06-30' })).toEqual({
      fromIso: '2025-12-31T23:00:00.000Z',
      toIso: '2026-06-30T22:00:00.000Z',
    });
  });
});

/** What a reader of the published rows can work out about each cell of a partition. */
function readerIntervals(cells: Cell[], total: Cell, t: number): Interval[] {
  const known = (c: Cell): Interval =>
    !c.hidden
      ? { lo: c.value ?? 0, hi: c.value ?? 0 }
      : c.hidden === 'small'
        ? { lo: 0, hi: t - 1 }
        : { lo: t, hi: Number.POSITIVE_INFINITY };
  return feasibleIntervals([...cells, total].map(known), [...cells.map(() => 1), -1]);
}

describe('suppression', () => {
  const t = 5;

  it('writes no count below the threshold in the export of the generated year', () => {
    const published = suppress(computeFigures(generatedYear().slice(0, 37), ctx), t);
    const csv = publishedRows('montfoort', published);
    for (const r of csv) {
      if (/^\d+$/.test(r.value) && !r.measure.startsWith('days_'))
        expect(Number(r.value)).toBeGreaterThanOrEqual(t);
    }
    expect(parseCsv(toCsv(csv))).toEqual(csv);
  });

  it('cannot be undone by subtraction or bounds from the published rows', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 25 }), { minLength: 1, maxLength: 7 }), (values) => {
        const total = values.reduce((a, b) => a + b, 0);
        const figures: Figures = {
          period: ctx.period,
          measures: [
            {
              code: 'x',
              kind: 'partition',
              base: 'signals',
              total,
              rows: values.map((value, i) => ({ breakdown: `r${i}`, value })),
            },
          ],
        };
        const m = suppress(figures, t).measures[0];
        if (m?.kind !== 'partition') throw new Error('kind');
        const iv = readerIntervals(m.rows, m.total, t);
        [...m.rows, m.total].forEach((c, i) => {
          const r = iv[i] as Interval;
          const v = c.value ?? 0;
          if (!c.hidden) expect(v === 0 || v >= t).toBe(true);
          expect(r.lo <= v && v <= r.hi).toBe(true);
          // A small count (1..t-1) is never pinned to one value.
          if (c.hidden && v >= 1 && v < t) expect(r.hi).toBeGreaterThan(r.lo);
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('hides a second row when one small row could be found by subtraction', () => {
    const figures: Figures = {
      period: ctx.period,
      measures: [
        {
          code: 'x',
          kind: 'partition',
          base: 'signals',
          total: 30,
          rows: [
            { breakdown: 'a', value: 2 },
            { breakdown: 'b', value: 8 },
            { breakdown: 'c', value: 20 },
          ],
        },
      ],
    };
    const rowsOut = publishedRows('m', suppress(figures, t)).map((r) => r.value);
    expect(rowsOut).toEqual(['<5', 'x', '20', '30']);
  });
});

describe('the regional merge', () => {
  it('adds up what is shown, keeps hidden what was hidden, and protects the combined table', () => {
    const a = publishedRows('woerden', suppress(computeFigures(generatedYear(), ctx), 5));
    const b = publishedRows(
      'montfoort',
      suppress(computeFigures(generatedYear().slice(0, 23), ctx), 5),
    );
    const merged = mergeExports([parseCsv(toCsv(a)), parseCsv(toCsv(b))], 5);
    const get = (measure: string, breakdown: string) =>
      merged.rows.find(
        (r) => r.municipality === 'regio' && r.measure === measure && r.breakdown === breakdown,
      )?.value;
    expect(get('signals_received', 'total')).toBe('143');
    expect(get('signals_by_channel', 'form')).toBe(String(80 + 15));
    // Montfoort's acute count (3) was hidden, so the combined count is too.
    expect(['x', '<5']).toContain(get('signals_by_urgency', 'acute'));
    expect(get('signals_by_urgency', 'normal')).toBe('x');
    expect(
      merged.rows.filter((r) => r.measure === 'days_to_first_handover').map((r) => r.municipality),
    ).toContain('woerden');
  });
});
