/**
 * Working days for feedback due dates and reminders: weekends and Dutch public
 * holidays don't count. Dates are plain calendar dates (`yyyy-mm-dd`) in
 * Europe/Amsterdam, so a due date never shifts with the server's time zone.
 */

export type WorkingDayOptions = {
  /**
   * Bevrijdingsdag (5 May) is a day off by collective agreement every year in
   * many municipalities (CAR-UWO), but nationally only every fifth year.
   */
  liberationDayEveryYear: boolean;
};

export const DEFAULT_WORKING_DAY_OPTIONS: WorkingDayOptions = { liberationDayEveryYear: true };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Gregorian Easter Sunday (Meeus/Jones/Butcher). */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return toDate(Date.UTC(year, month - 1, day));
}

/**
 * The general days off of one year, with Dutch names. Goede Vrijdag is not a
 * general day off for municipal staff, so it is not here.
 */
export function dutchHolidays(
  year: number,
  options: WorkingDayOptions = DEFAULT_WORKING_DAY_OPTIONS,
): Map<string, string> {
  const easter = easterSunday(year);
  const kings = new Date(Date.UTC(year, 3, 27)).getUTCDay() === 0 ? 26 : 27;
  const list: [string, string][] = [
    [`${year}-01-01`, 'Nieuwjaarsdag'],
    [easter, 'Eerste Paasdag'],
    [addDays(easter, 1), 'Tweede Paasdag'],
    [`${year}-04-${kings}`, 'Koningsdag'],
    [addDays(easter, 39), 'Hemelvaartsdag'],
    [addDays(easter, 49), 'Eerste Pinksterdag'],
    [addDays(easter, 50), 'Tweede Pinksterdag'],
    [`${year}-12-25`, 'Eerste Kerstdag'],
    [`${year}-12-26`, 'Tweede Kerstdag'],
  ];
  if (options.liberationDayEveryYear || year % 5 === 0)
    list.push([`${year}-05-05`, 'Bevrijdingsdag']);
  return new Map(list);
}

const cache = new Map<string, Map<string, string>>();
function holidaysOf(year: number, options: WorkingDayOptions) {
  const key = `${year}:${options.liberationDayEveryYear}`;
  let h = cache.get(key);
  if (!h) {
    h = dutchHolidays(year, options);
    cache.set(key, h);
  }
  return h;
}

export function isWorkingDay(
  date: string,
  options: WorkingDayOptions = DEFAULT_WORKING_DAY_OPTIONS,
): boolean {
  const t = parseDate(date);
  const weekday = new Date(t).getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  return !holidaysOf(new Date(t).getUTCFullYear(), options).has(date);
}

/**
 * The date `n` working days after `date` (the start day itself never counts).
 * n = 0 gives `date` when it is a working day, else the next working day.
 */
export function addWorkingDays(
  date: string,
  n: number,
  options: WorkingDayOptions = DEFAULT_WORKING_DAY_OPTIONS,
): string {
  if (!Number.isInteger(n) || n < 0) throw new RangeError('n must be a non-negative integer');
  let d = date;
  if (n === 0) {
    while (!isWorkingDay(d, options)) d = addDays(d, 1);
    return d;
  }
  let left = n;
  while (left > 0) {
    d = addDays(d, 1);
    if (isWorkingDay(d, options)) left--;
  }
  return d;
}

/** Working days from `from` (exclusive) up to `to` (inclusive); 0 when `to` is not later. */
export function workingDaysBetween(
  from: string,
  to: string,
  options: WorkingDayOptions = DEFAULT_WORKING_DAY_OPTIONS,
): number {
  let n = 0;
  for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (isWorkingDay(d, options)) n++;
  return n;
}

/** Built once: the reminder job formats a date per open handover. */
const DATE_IN_AMSTERDAM = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Amsterdam',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar date in Amsterdam of an instant: what "today" means to the officer. */
export function amsterdamDate(at: Date): string {
  return DATE_IN_AMSTERDAM.format(at);
}

export function addDays(date: string, days: number): string {
  return toDate(parseDate(date) + days * 86_400_000);
}

function parseDate(date: string): number {
  const m = DATE.exec(date);
  if (!m) throw new RangeError('expected a yyyy-mm-dd date');
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

function toDate(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}
