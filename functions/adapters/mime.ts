import { createHash } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { OutgoingEmail } from '#core/ports.ts';

/**
 * The one place an OutgoingEmail becomes RFC 5322 bytes, shared by the file
 * outbox and SES so that what a developer opens locally is what AWS sends.
 */

/** Headers every Meldroute mail carries unless the mail sets them itself. */
const DEFAULT_HEADERS: Record<string, string> = {
  // RFC 3834: automatic mail; auto-responders and out-of-office replies must
  // not answer it, or a reply could loop back into the intake mailbox.
  'Auto-Submitted': 'auto-generated',
  'X-Auto-Response-Suppress': 'All',
};

/** Headers the composer owns: a mail's `headers` may not replace them. */
const RESERVED = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
]);

/** Mail ids become file names and Message-IDs: keep them to a safe alphabet. */
export function safeMailId(id: string): string {
  return /^[\w-]{1,100}$/.test(id) ? id : `h${createHash('sha256').update(id).digest('hex')}`;
}

/** A header value can never start a new header line. */
export function headerValue(value: string): string {
  return value
    .replace(/[\r\n]+/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

/** The same mail id always yields the same Message-ID, so a resend is recognisable. */
export function messageIdFor(mailId: string, from: string): string {
  const at = from.lastIndexOf('@');
  const domain = at >= 0 ? from.slice(at + 1).replace(/[^\w.-]/g, '') : '';
  return `<${safeMailId(mailId)}@${domain || 'meldroute.invalid'}>`;
}

export async function buildMime(
  mail: OutgoingEmail,
  options: { from: string; date: Date },
): Promise<Buffer> {
  if (mail.to.length === 0) throw new Error(`mail ${safeMailId(mail.id)} has no recipients`);
  const headers: Record<string, string> = { ...DEFAULT_HEADERS };
  for (const [key, value] of Object.entries(mail.headers ?? {})) {
    if (!/^[A-Za-z0-9-]+$/.test(key) || RESERVED.has(key.toLowerCase())) {
      throw new Error(`mail ${safeMailId(mail.id)}: header ${key} may not be set`);
    }
    const existing = Object.keys(headers).find((k) => k.toLowerCase() === key.toLowerCase());
    if (existing) delete headers[existing];
    headers[key] = headerValue(value);
  }
  const composer = new MailComposer({
    from: headerValue(options.from),
    to: mail.to.map(headerValue),
    ...(mail.replyTo ? { replyTo: headerValue(mail.replyTo) } : {}),
    subject: headerValue(mail.subject),
    date: options.date,
    messageId: messageIdFor(mail.id, options.from),
    text: { content: mail.text, contentType: 'text/plain; charset=utf-8' },
    html: { content: mail.html, contentType: 'text/html; charset=utf-8' },
    headers,
    textEncoding: 'quoted-printable',
    // Content is ours; nothing in a mail may make the composer read a file or URL.
    disableFileAccess: true,
    disableUrlAccess: true,
    xMailer: false,
  });
  return composer.compile().build();
}
