import PostalMime, { type Email } from 'postal-mime';
import type { MailParser } from '#core/ports.ts';
import { ParseTimeoutError, PostalMimeWorker, type PostalOptions } from './postal-mime-worker.ts';

export { ParseTimeoutError };

/**
 * MailParser with postal-mime, run in a worker thread. Input is hostile:
 * postal-mime's own limits (nesting depth, total header size) reject the
 * known pathological shapes, and the worker adds what no in-process parser
 * can: a hard time box (terminate) and a memory cap, so one message can
 * neither hang the intake nor take the process down with it. The worker is
 * started at the first message and kept for the next ones (one message at a
 * time); a message that overruns the time box or kills the worker fails
 * alone, and the next one gets a fresh worker. Call `close()` when done (an
 * idle worker never keeps the process alive, but it holds its memory).
 *
 * `isolation: 'inline'` parses in-process instead, for Lambda: there the
 * invocation is the sandbox (its timeout and memory limit), the bundle is one
 * file without node_modules for a worker to load, and a failed invocation is
 * retried and then dead-lettered by Lambda.
 */

export type PostalMimeParserOptions = {
  /** Wall-clock limit per message. */
  timeoutMs?: number;
  /** Heap limit of the worker. */
  maxMemoryMb?: number;
  /** MIME nesting beyond this rejects the parse (real mail stays far below). */
  maxNestingDepth?: number;
  /** Total header bytes across all parts. */
  maxHeadersSize?: number;
  /** Top-level headers kept; the rest are dropped and reported. */
  maxHeaders?: number;
  isolation?: 'worker' | 'inline';
};

export class PostalMimeParser implements MailParser {
  readonly #options: Required<PostalMimeParserOptions>;
  #thread: PostalMimeWorker | undefined;

  constructor(options: PostalMimeParserOptions = {}) {
    this.#options = {
      timeoutMs: 20_000,
      maxMemoryMb: 512,
      maxNestingDepth: 50,
      maxHeadersSize: 1024 * 1024,
      maxHeaders: 1000,
      isolation: 'worker',
      ...options,
    };
  }

  async parse(raw: Uint8Array): Promise<unknown> {
    const { bytes, normalised } = normaliseBareCr(raw);
    const message =
      this.#options.isolation === 'inline' ? await this.#inline(bytes) : await this.#worker(bytes);
    if (normalised) message.problems.push('bare-cr-normalised');
    return message;
  }

  /** Worker threads started so far (for tests: 1 while no message failed hard). */
  get workersStarted(): number {
    return this.#thread?.started ?? 0;
  }

  /** Waits for the messages handed in so far, then ends the worker (a later parse starts a new one). */
  async close(): Promise<void> {
    await this.#thread?.close();
  }

  #postalOptions(): PostalOptions {
    return {
      maxNestingDepth: this.#options.maxNestingDepth,
      maxHeadersSize: this.#options.maxHeadersSize,
      maxRfc822NestingDepth: 3,
      attachmentEncoding: 'arraybuffer',
    };
  }

  async #inline(bytes: Uint8Array): Promise<MappedMessage> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ParseTimeoutError('parse timed out')),
        this.#options.timeoutMs,
      );
    });
    try {
      const email = await Promise.race([PostalMime.parse(bytes, this.#postalOptions()), timeout]);
      return withBytes(mapEmail(email, this.#options.maxHeaders).message);
    } finally {
      clearTimeout(timer);
    }
  }

  async #worker(bytes: Uint8Array): Promise<MappedMessage> {
    const o = this.#options;
    this.#thread ??= new PostalMimeWorker({ timeoutMs: o.timeoutMs, maxMemoryMb: o.maxMemoryMb });
    // The one copy: the caller keeps its bytes, the worker gets its own buffer, transferred.
    const own = new Uint8Array(bytes.byteLength);
    own.set(bytes);
    const email = await this.#thread.parse(own.buffer, this.#postalOptions());
    return withBytes(mapEmail(email, o.maxHeaders).message);
  }
}

type MappedMessage = ReturnType<typeof mapEmail>['message'];

/** The core validates attachment content as Uint8Array. */
function withBytes(message: MappedMessage): MappedMessage {
  for (const a of message.attachments) a.content = new Uint8Array(a.content as ArrayBuffer);
  return message;
}

/**
 * Classic Mac mail ends lines with CR alone; MIME parsers see one endless
 * header line. Only when there is no LF at all is it safe to convert.
 */
function normaliseBareCr(raw: Uint8Array): { bytes: Uint8Array; normalised: boolean } {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  if (buf.includes(0x0a) || !buf.includes(0x0d)) return { bytes: raw, normalised: false };
  return {
    bytes: Buffer.from(buf.toString('latin1').replace(/\r/g, '\r\n'), 'latin1'),
    normalised: true,
  };
}

/** postal-mime's Email → the core's ParsedMessage shape (validated again by the core). */
function mapEmail(email: Email, maxHeaders: number) {
  const cap = (s: string | undefined, n: number) =>
    typeof s === 'string' ? s.slice(0, n) : undefined;
  type Box = { name?: string; address?: string | undefined; group?: Box[] | undefined };
  const box = (a: Box | undefined) =>
    a && typeof a.address === 'string' ? { name: a.name || '', address: a.address } : undefined;
  const flat = (list: Box[] | undefined) =>
    (list || [])
      .flatMap((a) => (a.group ? a.group : [a]))
      .map(box)
      .filter((a): a is { name: string; address: string } => a !== undefined);
  const problems: string[] = [];
  if (email.headers.length > maxHeaders) problems.push('headers-truncated');
  const headers = email.headers
    .slice(0, maxHeaders)
    .map((h) => ({ key: h.key, value: cap(h.value, 16384) ?? '' }));
  const ct = headers.find((h) => h.key === 'content-type');
  const from = box(email.from?.group ? email.from.group[0] : email.from);
  const attachments = email.attachments.map((a) => {
    // attachmentEncoding 'arraybuffer' gives ArrayBuffers; anything else is copied to one.
    const buffer =
      a.content instanceof ArrayBuffer
        ? a.content
        : a.content instanceof Uint8Array
          ? a.content.slice().buffer
          : new TextEncoder().encode(String(a.content)).buffer;
    const content = buffer as ArrayBuffer | Uint8Array;
    return {
      filename: a.filename || null,
      contentType: a.mimeType || 'application/octet-stream',
      disposition: a.disposition || null,
      ...(a.contentId ? { contentId: cap(a.contentId, 998) } : {}),
      content,
    };
  });
  const message = {
    headers,
    ...(from ? { from } : {}),
    to: flat(email.to),
    cc: flat(email.cc),
    ...(email.subject !== undefined ? { subject: cap(email.subject, 10000) } : {}),
    ...(email.messageId ? { messageId: cap(email.messageId, 998) } : {}),
    contentType: (ct?.value.split(';')[0] ?? '').trim().toLowerCase() || 'text/plain',
    ...(email.text !== undefined ? { text: email.text } : {}),
    ...(email.html !== undefined ? { html: email.html } : {}),
    attachments,
    problems,
  };
  return { message };
}
