import type { Config } from '../config.ts';
import { firstHeader, headerValues, type ParsedMessage } from './parsed-message.ts';

/**
 * Is this mail from a person, or from a machine answering a mail? Auto-replies
 * and bounces never become signals and never get a receipt: answering them
 * is how mail loops start (RFC 3834 §2, RFC 5230 §4.5).
 */
export type MailKind =
  | { kind: 'normal' }
  | { kind: 'auto-reply'; reason: AutoReason }
  | { kind: 'bounce'; reason: BounceReason };

export type AutoReason =
  | 'auto-submitted'
  | 'x-autoreply'
  | 'precedence'
  | 'subject'
  | 'own-address';
export type BounceReason =
  | 'multipart-report'
  | 'ndr-header'
  | 'daemon-sender'
  | 'null-return-path'
  | 'subject';

/** Local parts that only machines send from. */
const DAEMON_SENDER = /^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)$/i;

/** Subject starts of out-of-office and other automatic replies (EN, NL, DE, FR). */
const AUTO_SUBJECT =
  /^\s*(auto(matic|matische?)?[ -]?(reply|response|respons|antwoord|beantwoording)\b|automatisch(e)? (antwoord|beantwoording)|out of (the )?office|afwezig|niet aanwezig|buiten kantoor|abwesenheit|automatische antwort|r[ée]ponse automatique|absence)/i;

/** Subject starts of non-delivery reports that arrive without a report part. */
const BOUNCE_SUBJECT =
  /^\s*(undeliverable|undelivered mail|delivery status notification|delivery failure|failure notice|mail delivery failed|returned mail|non[- ]?delivery|warning: could not send|onbestelbaar|niet afgeleverd)/i;

export function classifyMessage(config: Config, message: ParsedMessage): MailKind {
  const from = message.from?.address.toLowerCase() ?? '';
  const localPart = from.slice(0, Math.max(0, from.lastIndexOf('@')));
  const subject = message.subject ?? '';

  // Bounces first: a DSN often carries Auto-Submitted too, and "bounce" is the truer name.
  if (message.contentType === 'multipart/report') return bounce('multipart-report');
  if (firstHeader(message, 'x-ms-exchange-message-is-ndr') !== undefined)
    return bounce('ndr-header');
  if (DAEMON_SENDER.test(localPart)) return bounce('daemon-sender');

  if (from && (from === config.mailFrom || from === config.mailbox)) return auto('own-address');
  const autoSubmitted = firstHeader(message, 'auto-submitted');
  if (autoSubmitted !== undefined && !/^\s*no\b/i.test(autoSubmitted))
    return auto('auto-submitted');
  if (
    firstHeader(message, 'x-autoreply') !== undefined ||
    firstHeader(message, 'x-autorespond') !== undefined ||
    firstHeader(message, 'x-autoresponse') !== undefined
  ) {
    return auto('x-autoreply');
  }
  const precedence = [
    ...headerValues(message, 'precedence'),
    ...headerValues(message, 'x-precedence'),
  ];
  if (precedence.some((p) => /^\s*(bulk|junk|list|auto_reply)\b/i.test(p)))
    return auto('precedence');
  if (AUTO_SUBJECT.test(subject)) return auto('subject');

  // A null sender with nothing else to go on: RFC 5321 §4.5.5 reserves it for notifications.
  if (nullReturnPath(message)) return bounce('null-return-path');
  if (BOUNCE_SUBJECT.test(subject)) return bounce('subject');
  return { kind: 'normal' };
}

/** `Return-Path: <>`: the envelope sender was empty (set by the receiving MTA, or by our intake). */
function nullReturnPath(message: ParsedMessage): boolean {
  const rp = firstHeader(message, 'return-path');
  return rp !== undefined && /^\s*<\s*>\s*$/.test(rp);
}

function auto(reason: AutoReason): MailKind {
  return { kind: 'auto-reply', reason };
}

function bounce(reason: BounceReason): MailKind {
  return { kind: 'bounce', reason };
}
