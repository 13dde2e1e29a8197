import * as z from 'zod/mini';
import { periodLabel } from './period.ts';
import { type PublishedFigures, shown } from './suppression.ts';

/**
 * The regional CSV: one row per figure, columns municipality, period,
 * measure, breakdown, value (RFC 4180, comma, CRLF). A partition's total is
 * the row with breakdown `total`. Values: a count, a number of days with a
 * decimal point, `<t` (a count below the threshold t) or `x` (hidden so
 * that no small count can be worked out by subtraction).
 */

export const CSV_HEADER = ['municipality', 'period', 'measure', 'breakdown', 'value'] as const;

export type CsvRow = {
  municipality: string;
  period: string;
  measure: string;
  breakdown: string;
  value: string;
};

export function publishedRows(municipality: string, p: PublishedFigures): CsvRow[] {
  const period = periodLabel(p.period);
  return p.measures.flatMap((m) => {
    const cells = m.kind === 'partition' ? [...m.rows, m.total] : m.rows;
    return cells.map((c) => ({
      municipality,
      period,
      measure: m.code,
      breakdown: c.breakdown,
      value: shown(c, p.threshold),
    }));
  });
}

export function toCsv(rows: readonly CsvRow[]): string {
  const lines = [CSV_HEADER.join(',')];
  for (const r of rows) lines.push(CSV_HEADER.map((k) => field(r[k])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Quotes a field when needed; a leading = + - @ is defused so a spreadsheet never runs it. */
function field(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) && !/^-?\d/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const Value = z
  .string()
  .check(z.regex(/^(\d+(\.\d+)?|<\d+|x)$/, 'a count, a number of days, <n or x'));
const RowSchema = z.object({
  municipality: z.string().check(z.minLength(1), z.maxLength(80)),
  period: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}\/\d{4}-\d{2}-\d{2}$/)),
  measure: z.string().check(z.regex(/^[a-z_]{1,60}$/)),
  breakdown: z.string().check(z.minLength(1), z.maxLength(120)),
  value: Value,
});

export class CsvFormatError extends Error {
  override readonly name = 'CsvFormatError';
  readonly code = 'CSV_INVALID';
}

/** Parses an export back (for the regional merge); a wrong line is named by its number. */
export function parseCsv(text: string, source = 'csv'): CsvRow[] {
  const records = splitRecords(text.replace(/^\uFEFF/, ''));
  const [header, ...body] = records;
  if (!header || header.join(',') !== CSV_HEADER.join(',')) {
    throw new CsvFormatError(`${source}: the first line must be ${CSV_HEADER.join(',')}`);
  }
  return body.map((fields, i) => {
    const raw = Object.fromEntries(CSV_HEADER.map((k, j) => [k, fields[j] ?? '']));
    const r = RowSchema.safeParse(raw);
    if (!r.success) {
      const what = r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ');
      throw new CsvFormatError(`${source} line ${i + 2}: ${what}`);
    }
    return r.data;
  });
}

function splitRecords(text: string): string[][] {
  const out: string[][] = [];
  let rec: string[] = [];
  let f = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        f += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else f += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      rec.push(f);
      f = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      rec.push(f);
      if (rec.some((x) => x !== '')) out.push(rec);
      rec = [];
      f = '';
    } else f += ch;
  }
  rec.push(f);
  if (rec.some((x) => x !== '')) out.push(rec);
  return out;
}
