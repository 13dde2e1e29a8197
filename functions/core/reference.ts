/** Built once: constructing an Intl formatter costs far more than formatting with it. */
const YEAR_IN_AMSTERDAM = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Amsterdam',
  year: 'numeric',
});

/** The calendar year in Amsterdam: a signal made on 31 December 23:30 UTC belongs to the next year. */
export function amsterdamYear(at: Date): number {
  return Number(YEAR_IN_AMSTERDAM.format(at));
}

/** MH-2026-0001: sequential per year, at least four digits. */
export function formatReference(prefix: string, year: number, sequence: number): string {
  return `${prefix}-${year}-${String(sequence).padStart(4, '0')}`;
}

export const REFERENCE_PATTERN = /\b([A-Z]{1,6})-(\d{4})-(\d{4,})\b/;
