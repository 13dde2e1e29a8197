import * as z from 'zod/mini';

/**
 * Reporting periods are calendar dates in Europe/Amsterdam, `from` inclusive
 * and `to` inclusive (as people say "1 januari t/m 30 juni"). Queries use the
 * UTC instants of local midnight, so a signal made at 00:30 on 1 July in
 * Amsterdam (22:30 UTC on 30 June) belongs to July.
 */

const ZONE = 'Europe/Amsterdam';
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export type Period = { from: string; to: string };

/** A real calendar date (2026-02-30 is refused, not rolled over). */
export const CalendarDate = z.string({ error: 'geen datum ingevuld' }).check(
  z.refine((s) => {
    const m = DATE.exec(s);
    if (!m) return false;
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    return d.toISOString().slice(0, 10) === s && Number(m[1]) >= 2000 && Number(m[1]) <= 2100;
  }, 'geen geldige datum (jjjj-mm-dd)'),
);

export const PeriodSchema = z.object({ from: CalendarDate, to: CalendarDate }).check(
  z.refine((p) => p.from <= p.to, { message: 'de begindatum ligt na de einddatum', path: ['to'] }),
  z.refine((p) => daysBetween(p.from, p.to) <= 3 * 366, {
    message: 'kies een periode van hoogstens drie jaar',
    path: ['to'],
  }),
);

const dateParts = new Intl.DateTimeFormat('en-CA', {
  timeZone: ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The Amsterdam calendar date of an instant, `yyyy-mm-dd`. */
export function amsterdamDate(at: Date): string {
  return dateParts.format(at);
}

/** The Amsterdam month of an ISO instant, `yyyy-mm`. */
export function amsterdamMonth(iso: string): string {
  return amsterdamDate(new Date(iso)).slice(0, 7);
}

const wallClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

/** How far Amsterdam's wall clock is ahead of UTC at instant `t` (ms). */
function offsetMs(t: number): number {
  const parts = Object.fromEntries(
    wallClock.formatToParts(new Date(t)).map((x) => [x.type, x.value]),
  );
  const wall = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
  );
  return wall - Math.floor(t / 60_000) * 60_000;
}

/** The UTC instant at which an Amsterdam calendar date begins. */
export function startOfDay(date: string): Date {
  const midnightAsUtc = Date.parse(`${date}T00:00:00Z`);
  const guess = midnightAsUtc - offsetMs(midnightAsUtc);
  // Second pass: the offset at the real instant (matters only around a DST change).
  return new Date(midnightAsUtc - offsetMs(guess));
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** [fromIso, toIso): the instants a period covers, for a range query. */
export function periodInstants(p: Period): { fromIso: string; toIso: string } {
  return {
    fromIso: startOfDay(p.from).toISOString(),
    toIso: startOfDay(addDays(p.to, 1)).toISOString(),
  };
}

/** The half-year (1 Jan–30 Jun or 1 Jul–31 Dec) that contains `now` in Amsterdam. */
export function currentHalfYear(now: Date): Period {
  const today = amsterdamDate(now);
  const year = today.slice(0, 4);
  return today.slice(5, 7) <= '06'
    ? { from: `${year}-01-01`, to: `${year}-06-30` }
    : { from: `${year}-07-01`, to: `${year}-12-31` };
}

/**
 * The period just before, of the same length; a whole half-year or whole
 * months map to the previous half-year or the same number of months.
 */
export function previousPeriod(p: Period): Period {
  const months = wholeMonths(p);
  if (months > 0) {
    const from = shiftMonths(p.from, -months);
    return { from, to: addDays(p.from, -1) };
  }
  const length = daysBetween(p.from, p.to) + 1;
  return { from: addDays(p.from, -length), to: addDays(p.from, -1) };
}

/** How many whole calendar months the period spans, or 0 when it does not start and end on month edges. */
function wholeMonths(p: Period): number {
  if (!p.from.endsWith('-01')) return 0;
  const next = addDays(p.to, 1);
  if (!next.endsWith('-01')) return 0;
  const [fy, fm] = p.from.split('-').map(Number) as [number, number];
  const [ny, nm] = next.split('-').map(Number) as [number, number];
  return (ny - fy) * 12 + (nm - fm);
}

function shiftMonths(date: string, months: number): string {
  const [y, m] = date.split('-').map(Number) as [number, number];
  const total = y * 12 + (m - 1) + months;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}-01`;
}

/** Every month the period touches, `yyyy-mm`, in order. */
export function monthsOf(p: Period): string[] {
  const out: string[] = [];
  let m = p.from.slice(0, 7);
  const last = p.to.slice(0, 7);
  while (m <= last) {
    out.push(m);
    m = shiftMonths(`${m}-01`, 1).slice(0, 7);
  }
  return out;
}

/** `2026-01-01/2026-06-30`: how a period is written in the CSV. */
export function periodLabel(p: Period): string {
  return `${p.from}/${p.to}`;
}
