import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HmacReplyTokens } from '#adapters/crypto/hmac-reply-tokens.ts';
import { parseConfig } from '#core/config.ts';
import {
  cleanAddress,
  isMailboxAddress,
  plusAddress,
  plusToken,
  referenceInSubject,
} from '#core/mail/addresses.ts';
import { classifyMessage } from '#core/mail/classify.ts';
import { type ParsedMessage, ParsedMessageSchema } from '#core/mail/parsed-message.ts';

const config = parseConfig(JSON.parse(readFileSync('config/montfoort.example.json', 'utf8')));

function message(
  headers: Record<string, string>,
  extra: Partial<ParsedMessage> = {},
): ParsedMessage {
  return ParsedMessageSchema.parse({
    headers: Object.entries(headers).map(([key, value]) => ({ key: key.toLowerCase(), value })),
    from: { name: 'Jan', address: headers.From ?? 'jan@montfoort.example' },
    subject: headers.Subject ?? 'Signaal',
    ...extra,
  });
}

describe('telling people from machines', () => {
  it.each([
    [{ 'Auto-Submitted': 'auto-replied' }, 'auto-reply'],
    [{ 'Auto-Submitted': 'auto-generated (warning)' }, 'auto-reply'],
    [{ 'X-Autoreply': 'yes' }, 'auto-reply'],
    [{ 'X-Autorespond': 'Vacation' }, 'auto-reply'],
    [{ Precedence: 'bulk' }, 'auto-reply'],
    [{ Precedence: 'junk' }, 'auto-reply'],
    [{ Precedence: 'list' }, 'auto-reply'],
    [{ Subject: 'Automatic reply: Signaal' }, 'auto-reply'],
    [{ Subject: 'Out of Office: Signaal' }, 'auto-reply'],
    [{ Subject: 'Afwezig tot 5 mei' }, 'auto-reply'],
    [{ Subject: 'Automatisch antwoord: Signaal' }, 'auto-reply'],
    [{ From: 'MAILER-DAEMON@mx.example.org' }, 'bounce'],
    [{ From: 'postmaster@example.org' }, 'bounce'],
    [{ 'Return-Path': '<>' }, 'bounce'],
    [{ Subject: 'Undeliverable: Signaal' }, 'bounce'],
    [{ From: 'meldroute@montfoort.example' }, 'auto-reply'],
    [{ 'Auto-Submitted': 'no' }, 'normal'],
    [{ Subject: 'Re: afwezigheid van de bewoner op de Hoofdstraat' }, 'normal'],
  ] as const)('%o is %s', (headers, kind) => {
    expect(classifyMessage(config, message(headers)).kind).toBe(kind);
  });

  it('treats a delivery report as a bounce', () => {
    expect(classifyMessage(config, message({}, { contentType: 'multipart/report' })).kind).toBe(
      'bounce',
    );
  });
});

describe('addresses and replies', () => {
  it('accepts the mailbox and its plus-addresses only', () => {
    expect(isMailboxAddress(config, 'Meldpunt-Mensenhandel@montfoort.example')).toBe(true);
    expect(isMailboxAddress(config, 'meldpunt-mensenhandel+abc123@montfoort.example')).toBe(true);
    expect(isMailboxAddress(config, 'iemand@montfoort.example')).toBe(false);
    expect(isMailboxAddress(config, 'meldpunt-mensenhandel@elders.example')).toBe(false);
    expect(isMailboxAddress(config, 'meldpunt-mensenhandel+a@b@montfoort.example')).toBe(false);
  });

  it('reads references only with our prefix', () => {
    expect(referenceInSubject(config, 'RE: Ontvangstbevestiging signaal MH-2026-0012')).toBe(
      'MH-2026-0012',
    );
    expect(referenceInSubject(config, 'Antw: mh-2026-0012 aanvulling')).toBe('MH-2026-0012');
    expect(referenceInSubject(config, 'XX-2026-0012')).toBeUndefined();
  });

  it('cleans real-world From addresses and refuses unusable ones', () => {
    expect(cleanAddress('pete(his account)@silly.test(his host)')).toBe('pete@silly.test');
    expect(cleanAddress('<Jan@Montfoort.Example>')).toBe('jan@montfoort.example');
    expect(cleanAddress('jdöe@mächine.example')).toBe('jdöe@mächine.example');
    expect(cleanAddress('not an address')).toBeUndefined();
    expect(cleanAddress('a@b')).toBeUndefined();
  });

  it('issues plus tokens that name the signal and cannot be forged', () => {
    const tokens = new HmacReplyTokens(randomBytes(32));
    const other = new HmacReplyTokens(randomBytes(32));
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 13, maxLength: 13 }), (bytes) => {
        const id = Buffer.from(bytes).toString('hex');
        const token = tokens.issue(id) ?? '';
        const address = plusAddress(config, token);
        expect(address.split('@')[0]?.length).toBeLessThanOrEqual(64);
        expect(tokens.verify(plusToken(config, address.toUpperCase()) ?? '')).toBe(id);
        expect(other.verify(token)).toBeUndefined();
      }),
    );
    expect(tokens.issue('not-a-signal-id')).toBeUndefined();
  });
});
