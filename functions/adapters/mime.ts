import MailComposer from 'nodemailer/lib/mail-composer';
import type { OutgoingEmail } from '#core/ports.ts';
import { headerValue, mailHeaders, messageIdFor, safeMailId } from './mail-headers.ts';

/**
 * Where an OutgoingEmail becomes RFC 5322 bytes for the file outbox (and so
 * for what a developer opens locally). SES composes its own MIME from simple
 * content (ses-mailer.ts); both take their headers from mail-headers.ts, so
 * what is written locally carries the headers AWS sends. nodemailer is
 * imported here only: keep this module out of the Lambda bundles.
 */
export async function buildMime(
  mail: OutgoingEmail,
  options: { from: string; date: Date },
): Promise<Buffer> {
  if (mail.to.length === 0) throw new Error(`mail ${safeMailId(mail.id)} has no recipients`);
  const composer = new MailComposer({
    from: headerValue(options.from),
    to: mail.to.map(headerValue),
    ...(mail.replyTo ? { replyTo: headerValue(mail.replyTo) } : {}),
    subject: headerValue(mail.subject),
    date: options.date,
    messageId: messageIdFor(mail.id, options.from),
    text: { content: mail.text, contentType: 'text/plain; charset=utf-8' },
    html: { content: mail.html, contentType: 'text/html; charset=utf-8' },
    headers: mailHeaders(mail),
    textEncoding: 'quoted-printable',
    // Content is ours; nothing in a mail may make the composer read a file or URL.
    disableFileAccess: true,
    disableUrlAccess: true,
    xMailer: false,
  });
  return composer.compile().build();
}
