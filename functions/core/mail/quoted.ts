/**
 * Where the quoted original starts in an email reply typed above it (partner
 * feedback and reporter additions by email): the page shows the reply and
 * folds the quote away. Only the display: the stored text stays whole, since
 * nothing accepted may be lost, and a wrong guess folds text, never drops it.
 *
 * Line by line with plain string tests, so the work is linear in the text
 * whatever a sender puts in it. (The maintained reply parser,
 * email-reply-parser, needs Node 22 and the native re2 module to keep its
 * regular expressions safe on crafted input.)
 */

export type SplitReply = { reply: string; quoted?: string };

/** A header line longer than this is text, not a mail client's attribution. */
const MAX_HEADER_LINE = 300;

/** "-----Oorspronkelijk bericht-----" and the like. */
const SEPARATORS = [
  'oorspronkelijk bericht',
  'original message',
  'doorgestuurd bericht',
  'forwarded message',
];
/** "Op ma 2 mrt 2026 om 09:00 schreef Jan <jan@x.nl>:", "On …, Jan wrote:". */
const ATTRIBUTION_START = ['op ', 'on '];
const ATTRIBUTION_VERB = [' schreef', ' geschreven', ' wrote'];
/** Outlook's block: "Van: …" with "Verzonden: …" (or Sent/Datum/Date) right under it. */
const BLOCK_FROM = ['van:', 'from:'];
const BLOCK_DATE = ['verzonden:', 'sent:', 'datum:', 'date:'];

export function splitQuoted(text: string): SplitReply {
  const lines = text.split(/\r?\n/);
  const start = Math.min(firstHeader(lines), quotedTail(lines));
  if (start >= lines.length) return { reply: text };
  const reply = lines.slice(0, start).join('\n').trimEnd();
  // A message that is all quote (or starts with one) is shown as it is.
  if (!reply.trim()) return { reply: text };
  return { reply, quoted: lines.slice(start).join('\n').trim() };
}

function firstHeader(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]?.trim().toLowerCase() ?? '';
    if (!line || line.length > MAX_HEADER_LINE) continue;
    if (isSeparator(line) || isAttribution(line)) return i;
    // Mail clients wrap a long attribution over two lines.
    const next = lines[i + 1]?.trim().toLowerCase() ?? '';
    if (startsWithAny(line, ATTRIBUTION_START) && next.length <= MAX_HEADER_LINE) {
      if (isAttribution(`${line} ${next}`)) return i;
    }
    if (startsWithAny(line, BLOCK_FROM)) {
      const below = lines.slice(i + 1, i + 5).map((l) => l.trim().toLowerCase());
      if (below.some((l) => startsWithAny(l, BLOCK_DATE))) return i;
    }
  }
  return lines.length;
}

/** The first line of a run of "> " lines that lasts to the end (blank lines allowed). */
function quotedTail(lines: string[]): number {
  let start = lines.length;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]?.trim() ?? '';
    if (!line) continue;
    if (!line.startsWith('>')) break;
    start = i;
  }
  return start;
}

function isSeparator(line: string): boolean {
  if (!line.startsWith('--') || !line.endsWith('--')) return false;
  const words = line.replace(/^-+|-+$/g, '').trim();
  return SEPARATORS.includes(words);
}

function isAttribution(line: string): boolean {
  return (
    startsWithAny(line, ATTRIBUTION_START) &&
    line.endsWith(':') &&
    ATTRIBUTION_VERB.some((verb) => line.includes(verb))
  );
}

function startsWithAny(line: string, prefixes: readonly string[]): boolean {
  return prefixes.some((p) => line.startsWith(p));
}
