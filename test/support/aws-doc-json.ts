import { readFileSync } from 'node:fs';

/**
 * Reads an AWS example event. Some examples in the shared corpus are copied
 * verbatim from the SES developer guide and are not valid JSON as published:
 *
 * - the guide wraps long string values across lines (it says so itself), so a
 *   string literal contains raw line breaks followed by indentation;
 * - one example has `"objectKey": "\email"`, an invalid JSON escape.
 *
 * Real events from SES are always valid JSON, so the handler does not repair
 * anything; this reader undoes the documentation's typography only: inside a
 * string, a line break and the indentation after it are removed, and a
 * backslash before a character JSON cannot escape is dropped. Valid JSON is
 * returned unchanged. `repaired` tells the test which happened.
 */
export function readAwsExample(path: string): { event: unknown; repaired: boolean } {
  const text = readFileSync(path, 'utf8');
  try {
    return { event: JSON.parse(text), repaired: false };
  } catch {
    return { event: JSON.parse(repair(text)), repaired: true };
  }
}

export function repair(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (!inString) {
      if (c === '"') inString = true;
      out += c;
      continue;
    }
    if (c === '\\') {
      const next = text[i + 1] ?? '';
      if ('"\\/bfnrtu'.includes(next)) {
        out += c + next;
      } else {
        out += next;
      }
      i++;
    } else if (c === '\r' || c === '\n') {
      while (/[\r\n \t]/.test(text[i + 1] ?? '')) i++;
    } else {
      if (c === '"') inString = false;
      out += c;
    }
  }
  return out;
}
