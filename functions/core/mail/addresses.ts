import type { Config } from '../config.ts';
import { firstHeader, headerValues, type ParsedMessage } from './parsed-message.ts';

/**
 * Addresses as they come out of real headers: comments ("pete(his account)
 * @silly.test"), mixed case, stray brackets. Only what survives this is ever
 * used to send a receipt.
 */
export function cleanAddress(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const a = raw
    .replace(/\([^()]*\)/g, '')
    .replace(/^[\s<]+|[\s>]+$/g, '')
    .trim()
    .toLowerCase();
  // Non-ASCII is allowed (RFC 6532); whitespace, brackets and separators are not.
  return /^[^\s@<>()",;:\\[\]]{1,64}@[^\s@<>()",;:\\[\]]+\.[^\s@<>()",;:\\[\].]{2,}$/u.test(a) &&
    a.length <= 254
    ? a
    : undefined;
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

export function isStaffAddress(config: Config, address: string): boolean {
  return config.staffDomains.includes(domainOf(address));
}

/** `mailbox+<token>@domain` for the configured mailbox; the token is lower case. */
export function plusAddress(config: Config, token: string): string {
  const at = config.mailbox.lastIndexOf('@');
  return `${config.mailbox.slice(0, at)}+${token}${config.mailbox.slice(at)}`;
}

/** True for the mailbox itself and its plus-addresses (what the SMTP intake accepts). */
export function isMailboxAddress(config: Config, address: string): boolean {
  return address.toLowerCase() === config.mailbox || plusToken(config, address) !== undefined;
}

export function plusToken(config: Config, address: string): string | undefined {
  const a = address.trim().toLowerCase();
  const at = config.mailbox.lastIndexOf('@');
  const local = config.mailbox.slice(0, at);
  const domain = config.mailbox.slice(at + 1);
  const m = /^([^@+]+)\+([a-z0-9._=-]{1,64})@([^@]+)$/.exec(a);
  return m && m[1] === local && m[3] === domain ? m[2] : undefined;
}

/**
 * Plus tokens from every place a reply's recipient shows: the envelope (SES
 * receipt, or the Delivered-To lines our SMTP intake prepends), To and Cc.
 */
export function plusTokensOf(
  config: Config,
  message: ParsedMessage,
  envelope: string[] = [],
): string[] {
  const candidates = [
    ...envelope,
    ...headerValues(message, 'delivered-to'),
    ...message.to.map((a) => a.address),
    ...message.cc.map((a) => a.address),
  ];
  const tokens = candidates
    .map((c) => plusToken(config, c.replace(/^\s*<|>\s*$/g, '')))
    .filter((t): t is string => t !== undefined);
  return [...new Set(tokens)];
}

/** The first reference number with our prefix in the subject, upper-cased (`MH-2026-0001`). */
export function referenceInSubject(
  config: Config,
  subject: string | undefined,
): string | undefined {
  if (!subject) return undefined;
  const re = /\b([a-z]{1,6})-(\d{4})-(\d{4,9})\b/gi;
  for (const m of subject.slice(0, 1000).matchAll(re)) {
    if (m[1]?.toUpperCase() === config.referencePrefix) return m[0].toUpperCase();
  }
  return undefined;
}

/** Message-ID without angle brackets or surrounding space, if it looks like one. */
export function messageIdOf(message: ParsedMessage): string | undefined {
  const raw = message.messageId ?? firstHeader(message, 'message-id');
  const id = raw?.trim().replace(/^<|>$/g, '');
  return id && id.length <= 998 ? id : undefined;
}
