/** Dutch display formats shared by the pages. */

const dateTime = new Intl.DateTimeFormat('nl-NL', {
  timeZone: 'Europe/Amsterdam',
  dateStyle: 'medium',
  timeStyle: 'short',
});

/** "3 feb 2025, 14:05" in Dutch time; an unreadable value is shown as it is. */
export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

const number = new Intl.NumberFormat('nl-NL', { maximumFractionDigits: 1 });

export function formatBytes(size: number): string {
  if (size < 1024) return `${size} bytes`;
  if (size < 1024 * 1024) return `${number.format(size / 1024)} kB`;
  return `${number.format(size / (1024 * 1024))} MB`;
}

/** A label from a catalog, or the code itself when the catalog does not know it. */
export function labelOf(catalog: Readonly<Record<string, string>>, code: string): string {
  return Object.hasOwn(catalog, code) ? (catalog[code] ?? code) : code;
}

/** Name of a form field to the id of its input: `persons[0][name]` → `persons-0-name`. */
export const fieldId = (name: string): string => name.replace(/\[/g, '-').replace(/\]/g, '');
export const errorId = (name: string): string => `${fieldId(name)}-fout`;
export const hintId = (name: string): string => `${fieldId(name)}-uitleg`;
