/**
 * Attachment types and names come from the sender and can lie. What we serve
 * is decided by the bytes: a declared type is only believed when the content
 * starts the way that type must, and only a few inert types are ever served
 * as themselves (always as a download, with nosniff).
 */

const MAGIC: Array<{ type: string; bytes: number[] }> = [
  { type: 'application/pdf', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] }, // %PDF-
  { type: 'image/png', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: 'image/jpeg', bytes: [0xff, 0xd8, 0xff] },
  { type: 'image/gif', bytes: [0x47, 0x49, 0x46, 0x38] }, // GIF8
  { type: 'application/zip', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { type: 'application/x-msdownload', bytes: [0x4d, 0x5a] }, // MZ: a Windows executable
];

/** Types an officer's browser may receive as themselves. */
const SERVABLE = new Set(['application/pdf', 'image/png', 'image/jpeg', 'image/gif']);

const ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'application/x-pdf': 'application/pdf',
  'image/x-png': 'image/png',
};

const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/** A declared type reduced to `type/subtype`, or application/octet-stream when it is not one. */
export function normaliseContentType(declared: string | undefined): string {
  const t = (declared ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const canonical = ALIASES[t] ?? t;
  return MIME_TYPE.test(canonical) ? canonical : 'application/octet-stream';
}

/** The type the content's first bytes prove, if it is one we recognise. */
export function sniffType(bytes: Uint8Array): string | undefined {
  return MAGIC.find((m) => m.bytes.every((b, i) => bytes[i] === b))?.type;
}

/**
 * True when the declared type is contradicted by the content: the bytes are
 * a known type other than the declared one, or the declared type has a
 * signature the bytes do not start with.
 */
export function typeLies(declared: string, bytes: Uint8Array): boolean {
  const sniffed = sniffType(bytes);
  if (sniffed) return sniffed !== declared;
  return MAGIC.some((m) => m.type === declared);
}

/** What an officer's download is served as: the real type when inert and proven, else octet-stream. */
export function servedContentType(declared: string, bytes: Uint8Array): string {
  const type = normaliseContentType(declared);
  if (SERVABLE.has(type) && sniffType(bytes) === type) return type;
  if (type === 'text/plain' && !bytes.subarray(0, 8192).includes(0))
    return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}

const EXTENSIONS: Record<string, string> = {
  'application/pdf': '.pdf',
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/gif': '.gif',
  'text/plain': '.txt',
  'text/html': '.html',
  'message/rfc822': '.eml',
};

/**
 * A file name safe to show and to put in Content-Disposition: no directory
 * parts, no control or reserved characters, at most 150 characters with the
 * extension kept.
 */
export function safeFilename(
  name: string | null | undefined,
  contentType: string,
  n: number,
): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const cleaned = base
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f"*:<>?|\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+|[\s.]+$/g, '');
  if (!cleaned) return `bijlage-${n}${EXTENSIONS[contentType] ?? '.bin'}`;
  if (cleaned.length <= 150) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const ext = dot > 0 && cleaned.length - dot <= 10 ? cleaned.slice(dot) : '';
  return cleaned.slice(0, 150 - ext.length) + ext;
}
