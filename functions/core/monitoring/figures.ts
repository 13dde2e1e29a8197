import {
  EXPLOITATION_FORM_CODES,
  INDICATOR_CODES,
  URGENCIES,
  VULNERABILITY_CODES,
} from '../catalog.ts';
import type { MonitoringFacts } from './facts.ts';
import { amsterdamDate, amsterdamMonth, monthsOf, type Period } from './period.ts';

/**
 * Pure figure computation (policy §3.1: which signals come in, which lead to
 * a referral, within which groups). Every figure is about the cohort of
 * signals RECEIVED in the period, so a figure for a past period only changes
 * when something about those signals changes (feedback arriving), never
 * because of later signals.
 *
 * Three kinds of measure:
 * - partition: the rows add up to `total` (each signal, or each handover, in
 *   exactly one row). Suppression must protect these against subtraction.
 * - multi: a signal can count in several rows (indicators); no sum relation.
 * - stats: median and 90th percentile of day counts; shown only for n ≥ threshold.
 */

export type Row = { breakdown: string; value: number };
export type Measure =
  | { code: string; kind: 'partition'; base: 'signals' | 'handovers'; rows: Row[]; total: number }
  | { code: string; kind: 'multi'; rows: Row[] }
  | { code: string; kind: 'stats'; n: number; rows: Row[] };

export type Figures = { period: Period; measures: Measure[] };

export type FigureContext = {
  period: Period;
  /** Feedback not yet in is "missing" once its due date has passed on this date. */
  now: Date;
  teams: readonly string[];
  partnerIds: readonly string[];
};

/** Kind (and for partitions the base) of every measure, so a parsed CSV can be merged. */
export const MEASURE_KINDS: Readonly<
  Record<string, { kind: 'partition'; base: 'signals' | 'handovers' } | { kind: 'multi' | 'stats' }>
> = {
  signals_received: { kind: 'partition', base: 'signals' },
  signals_by_month: { kind: 'partition', base: 'signals' },
  signals_by_channel: { kind: 'partition', base: 'signals' },
  signals_by_reporter_kind: { kind: 'partition', base: 'signals' },
  signals_by_source_team: { kind: 'partition', base: 'signals' },
  signals_by_exploitation_form: { kind: 'partition', base: 'signals' },
  signals_by_urgency: { kind: 'partition', base: 'signals' },
  signals_by_indicator: { kind: 'multi' },
  signals_by_vulnerability: { kind: 'multi' },
  signals_handed_over: { kind: 'partition', base: 'signals' },
  signals_by_partner: { kind: 'multi' },
  handovers_feedback: { kind: 'partition', base: 'handovers' },
  days_to_first_handover: { kind: 'stats' },
  days_handover_to_feedback: { kind: 'stats' },
  signals_by_outcome: { kind: 'partition', base: 'signals' },
};

export const OUTCOME_ROWS = ['handed_over', 'overleg', 'no_follow_up', 'merged', 'not_closed'];
export const FEEDBACK_ROWS = ['on_time', 'late', 'missing', 'waiting'];

const DAY = 86_400_000;

export function computeFigures(facts: readonly MonitoringFacts[], ctx: FigureContext): Figures {
  const signals = [...facts].sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
  const today = amsterdamDate(ctx.now);
  const handovers = signals.flatMap((s) => active(s).map((h) => ({ s, h })));

  const partition = (
    code: string,
    keys: readonly string[],
    keyOf: (s: MonitoringFacts) => string,
  ): Measure => ({
    code,
    kind: 'partition',
    base: 'signals',
    rows: count(keys, signals.map(keyOf)),
    total: signals.length,
  });
  const multi = (
    code: string,
    keys: readonly string[],
    keysOf: (s: MonitoringFacts) => string[],
  ) => ({
    code,
    kind: 'multi' as const,
    rows: count(
      keys,
      signals.flatMap((s) => [...new Set(keysOf(s))]),
    ),
  });

  const teams = [...ctx.teams];
  const partners = [...ctx.partnerIds];
  const firstHandoverDays = signals.flatMap((s) => {
    const first = active(s)
      .map((h) => h.sentAt)
      .sort()[0];
    return first ? [(Date.parse(first) - Date.parse(s.receivedAt)) / DAY] : [];
  });
  const feedbackDays = handovers.flatMap(({ h }) =>
    h.feedbackAt ? [(Date.parse(h.feedbackAt) - Date.parse(h.sentAt)) / DAY] : [],
  );

  return {
    period: ctx.period,
    measures: [
      {
        code: 'signals_received',
        kind: 'partition',
        base: 'signals',
        rows: [],
        total: signals.length,
      },
      partition('signals_by_month', monthsOf(ctx.period), (s) => amsterdamMonth(s.receivedAt)),
      partition('signals_by_channel', ['form', 'email'], (s) => s.channel),
      partition('signals_by_reporter_kind', ['internal', 'external'], (s) => s.reporterKind),
      partition('signals_by_source_team', [...teams, 'other', 'unknown'], (s) =>
        !s.sourceTeam ? 'unknown' : teams.includes(s.sourceTeam) ? s.sourceTeam : 'other',
      ),
      partition('signals_by_exploitation_form', EXPLOITATION_FORM_CODES, (s) => s.exploitationForm),
      partition('signals_by_urgency', Object.keys(URGENCIES), (s) => s.urgency),
      multi('signals_by_indicator', INDICATOR_CODES, (s) => s.indicators),
      multi('signals_by_vulnerability', VULNERABILITY_CODES, (s) => s.vulnerabilities),
      partition('signals_handed_over', ['yes', 'no'], (s) => (active(s).length ? 'yes' : 'no')),
      multi('signals_by_partner', [...partners, 'other'], (s) =>
        active(s).map((h) => (partners.includes(h.partnerId) ? h.partnerId : 'other')),
      ),
      {
        code: 'handovers_feedback',
        kind: 'partition',
        base: 'handovers',
        rows: count(
          FEEDBACK_ROWS,
          handovers.map(({ h }) => feedbackRow(h, today)),
        ),
        total: handovers.length,
      },
      stats('days_to_first_handover', firstHandoverDays),
      stats('days_handover_to_feedback', feedbackDays),
      partition('signals_by_outcome', OUTCOME_ROWS, (s) =>
        s.status !== 'closed'
          ? 'not_closed'
          : s.outcome && OUTCOME_ROWS.includes(s.outcome)
            ? s.outcome
            : 'no_follow_up',
      ),
    ],
  };
}

/** Handovers that count: a withdrawn one never reached the partner's desk as a request. */
function active(s: MonitoringFacts) {
  return s.handovers.filter((h) => h.state !== 'withdrawn');
}

/** On time means on or before the due date, as dates in Amsterdam. */
export function feedbackRow(
  h: MonitoringFacts['handovers'][number],
  today: string,
): (typeof FEEDBACK_ROWS)[number] {
  if (h.feedbackAt) {
    return !h.dueDate || amsterdamDate(new Date(h.feedbackAt)) <= h.dueDate ? 'on_time' : 'late';
  }
  if (h.state === 'no_response') return 'missing';
  return h.dueDate && h.dueDate < today ? 'missing' : 'waiting';
}

/** Every key gets a row, zeros included: a missing row would say nothing about why it is missing. */
function count(keys: readonly string[], values: readonly string[]): Row[] {
  const n = new Map(keys.map((k) => [k, 0]));
  for (const v of values) if (n.has(v)) n.set(v, (n.get(v) ?? 0) + 1);
  return keys.map((k) => ({ breakdown: k, value: n.get(k) ?? 0 }));
}

function stats(code: string, days: number[]): Measure {
  const sorted = [...days].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { code, kind: 'stats', n, rows: [] };
  const mid = Math.floor(n / 2);
  const median =
    n % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  // Nearest rank: an actual observation, easy to check by hand.
  const p90 = sorted[Math.ceil(0.9 * n) - 1] as number;
  return {
    code,
    kind: 'stats',
    n,
    rows: [
      { breakdown: 'median', value: round1(median) },
      { breakdown: 'p90', value: round1(p90) },
    ],
  };
}

const round1 = (x: number) => Math.round(x * 10) / 10;
