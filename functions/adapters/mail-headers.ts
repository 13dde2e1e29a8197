import { createHash } from 'node:crypto';
import type { OutgoingEmail } from '#core/ports.ts';

/**
 * The header rules of every mail Meldroute sends, shared by the MIME builder
 * (mime.ts: the file outbox and SMTP) and the SES mailer (SES composes the
 * MIME itself from simple content), so both send the same headers. No
 * nodemailer here: this module is in the Lambda bundles, mime.ts is not.
 */

/** Headers every Meldroute mail carries unless the mail sets them itself. */
const DEFAULT_HEADERS: Readonly<Record<string, string>> = {
  // RFC 3834: automatic mail; auto-responders and out-of-office replies must
  // not answer it, or a reply could loop back into the intake mailbox.
  'Auto-Submitted': 'auto-generated',
  'X-Auto-Response-Suppress': 'All',
};

/** Headers the sender owns (composer or SES): a mail's `headers` may not replace them. */
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

/** A header name: letters, digits and '-', at most 126 characters (SES's limit). */
const HEADER_NAME = /^[A-Za-z0-9-]{1,126}$/;
/** SES takes 1–870 printable ASCII characters; the MIME builder is held to the same. */
const HEADER_VALUE = /^[ -~]{1,870}$/;

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

/**
 * The extra headers of `mail`, in sending order: the defaults, each replaced
 * by a header of the mail with the same name in any case, then the mail's
 * own. Throws, naming the mail, for a header a mail may not set or a value
 * that is not 1–870 printable ASCII characters once on one line: such a mail
 * is never sent half-right.
 */
export function mailHeaders(mail: Pick<OutgoingEmail, 'id' | 'headers'>): Record<string, string> {
  const headers: Record<string, string> = { ...DEFAULT_HEADERS };
  for (const [key, value] of Object.entries(mail.headers ?? {})) {
    if (!HEADER_NAME.test(key) || RESERVED.has(key.toLowerCase())) {
      throw new Error(`mail ${safeMailId(mail.id)}: header ${key} may not be set`);
    }
    const clean = headerValue(value);
    if (!HEADER_VALUE.test(clean)) {
      throw new Error(
        `mail ${safeMailId(mail.id)}: the value of header ${key} must be 1 to 870 printable ASCII characters`,
      );
    }
    const existing = Object.keys(headers).find((k) => k.toLowerCase() === key.toLowerCase());
    if (existing) delete headers[existing];
    headers[key] = clean;
  }
  return headers;
}
