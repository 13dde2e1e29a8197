/**
 * HTML mail as plain text for the officer's inbox, which renders text only:
 * tags are dropped (never interpreted), entities decoded, script/style content
 * discarded. One forward pass with indexOf/sticky searches, so a 1 MB
 * pathological body costs linear time, and no regex can backtrack.
 */

/** Elements whose content is never text a person wrote. */
const SKIP_CONTENT = new Set([
  'script',
  'style',
  'head',
  'template',
  'noscript',
  'svg',
  'object',
  'title',
]);
/** Elements that start a new line. */
const BLOCK = new Set([
  'address',
  'article',
  'blockquote',
  'br',
  'dd',
  'div',
  'dl',
  'dt',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'tr',
  'ul',
]);

const TAG_NAME = /[a-zA-Z][a-zA-Z0-9:-]*/y;

export function htmlToText(source: string, maxChars = 200_000): string {
  // Controls first: "<\u0007p" must not become a tag only after the scan.
  const html = stripControls(source);
  const out: string[] = [];
  let size = 0;
  const push = (s: string) => {
    out.push(s);
    size += s.length;
  };
  // Removing markup between a literal '<' and text must not assemble a new tag ("<<i>b>" → "<b>").
  const removed = () => {
    if (out.at(-1)?.endsWith('<')) push(' ');
  };
  // Elements found unclosed: a later search for their end would fail again (keeps this linear).
  const unclosed = new Set<string>();
  let i = 0;
  while (i < html.length && size < maxChars) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      push(decodeEntities(html.slice(i)));
      break;
    }
    if (lt > i) push(decodeEntities(html.slice(i, lt)));
    const next = html[lt + 1];
    const tagLike = next === '!' || next === '?' || next === '/' || /[a-zA-Z]/.test(next ?? '');
    if (tagLike) removed();
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    if (next === '!' || next === '?') {
      const end = html.indexOf('>', lt);
      i = end < 0 ? html.length : end + 1;
      continue;
    }
    const closing = next === '/';
    TAG_NAME.lastIndex = lt + (closing ? 2 : 1);
    const name = TAG_NAME.exec(html)?.[0].toLowerCase();
    if (!name) {
      // A '<' that starts no tag is text ("a < b").
      push('<');
      i = lt + 1;
      continue;
    }
    const end = tagEnd(html, TAG_NAME.lastIndex);
    i = end;
    if (!closing && SKIP_CONTENT.has(name) && html[end - 2] !== '/' && !unclosed.has(name)) {
      const past = skipPast(html, `</${name}`, end);
      // Unclosed: keep what follows as text rather than lose a person's words to a markup error.
      if (past < 0) unclosed.add(name);
      else i = past;
      continue;
    }
    if (name === 'li') {
      if (!closing) push('\n- ');
    } else if (BLOCK.has(name)) push('\n');
    else if (name === 'td' || name === 'th') push(' ');
  }
  return tidy(out.join('').slice(0, maxChars));
}

/** Index just past the tag's '>', skipping quoted attribute values. */
function tagEnd(html: string, from: number): number {
  let quote = '';
  for (let j = from; j < html.length; j++) {
    const c = html[j];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '>') {
      return j + 1;
    }
  }
  return html.length;
}

/** Past the closing tag, case-insensitively; -1 when there is none. */
function skipPast(html: string, closing: string, from: number): number {
  const re = new RegExp(closing.replace('/', '\\/'), 'gi');
  re.lastIndex = from;
  const m = re.exec(html);
  if (!m) return -1;
  const end = html.indexOf('>', m.index);
  return end < 0 ? html.length : end + 1;
}

/** Collapse HTML whitespace, keep paragraph breaks, drop control characters. */
function tidy(text: string): string {
  return stripControls(text)
    .replace(/[ \t\f\v\u00a0]+/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Everything but tab and newline below U+0020, DEL and C1 controls, and U+2028/9. */
export function stripControls(text: string): string {
  return (
    text
      .replace(/\r\n?/g, '\n')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, '')
  );
}

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  euro: '€',
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  laquo: '«',
  raquo: '»',
  bull: '•',
  middot: '·',
  deg: '°',
  szlig: 'ß',
  shy: '',
  zwnj: '',
  zwj: '',
  aacute: 'á',
  eacute: 'é',
  iacute: 'í',
  oacute: 'ó',
  uacute: 'ú',
  agrave: 'à',
  egrave: 'è',
  ograve: 'ò',
  auml: 'ä',
  euml: 'ë',
  iuml: 'ï',
  ouml: 'ö',
  uuml: 'ü',
  Auml: 'Ä',
  Euml: 'Ë',
  Ouml: 'Ö',
  Uuml: 'Ü',
  Eacute: 'É',
  ecirc: 'ê',
  acirc: 'â',
  ocirc: 'ô',
  ccedil: 'ç',
  ntilde: 'ñ',
  ijlig: 'ĳ',
  IJlig: 'Ĳ',
};

const ENTITY = /&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});?/g;

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (whole, body: string) => {
    if (body[0] !== '#') return NAMED[body] ?? whole;
    const hex = body[1] === 'x' || body[1] === 'X';
    const code = Number.parseInt(body.slice(hex ? 2 : 1), hex ? 16 : 10);
    const valid = code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
    return valid ? String.fromCodePoint(code) : '\ufffd';
  });
}
