/** Dates as officers and partners read them: "vrijdag 13 maart 2026". */
const long = new Intl.DateTimeFormat('nl-NL', {
  timeZone: 'UTC',
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});

/** A yyyy-mm-dd calendar date in Dutch words. */
export function dutchDate(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? date : long.format(d);
}
