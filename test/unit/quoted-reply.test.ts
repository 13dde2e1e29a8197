import { describe, expect, it } from 'vitest';
import { splitQuoted } from '#core/mail/quoted.ts';

const reply = 'Wij hebben een inspectie ingepland.\nMet vriendelijke groet,\nPiet';

describe('folding the quoted original of an email reply', () => {
  it.each([
    [
      'Gmail (Dutch, wrapped)',
      'Op ma 2 mrt 2026 om 09:00 schreef Meldpunt mensenhandel <\nmeldpunt@montfoort.example>:\n> Signaal MH-2026-0001',
    ],
    [
      'Gmail (Dutch, one line)',
      'Op ma 2 mrt 2026 om 09:00 schreef Meldpunt <meldpunt@montfoort.example>:\n> Signaal MH-2026-0001',
    ],
    [
      'Apple Mail (Dutch)',
      'Op 2 mrt. 2026, om 09:00 heeft Meldpunt <meldpunt@montfoort.example> het volgende geschreven:\n\n> Signaal MH-2026-0001',
    ],
    ['Thunderbird (English)', 'On 02-03-2026 09:00, Meldpunt wrote:\n> Signaal MH-2026-0001'],
    [
      'Outlook (Dutch)',
      'Van: Meldpunt mensenhandel <meldpunt@montfoort.example>\nVerzonden: maandag 2 maart 2026 09:00\nAan: Piet <piet@nla.example>\nOnderwerp: Signaal MH-2026-0001\n\nSignaal MH-2026-0001',
    ],
    [
      'Outlook (English)',
      'From: Meldpunt <meldpunt@montfoort.example>\nSent: Monday, March 2, 2026 9:00 AM\nTo: Piet\nSubject: Signaal MH-2026-0001',
    ],
    ['a separator', '-----Oorspronkelijk bericht-----\nVan: Meldpunt\nSignaal MH-2026-0001'],
    ['only quote marks', '> Signaal MH-2026-0001\n>\n> Met vriendelijke groet'],
  ])('%s: shows the reply, folds the quote, loses nothing', (_client, quote) => {
    const text = `${reply}\n\n${quote}\n`;
    const split = splitQuoted(text);
    expect(split.reply).toBe(reply);
    expect(split.quoted).toContain('MH-2026-0001');
    expect(`${split.reply}\n\n${split.quoted}`.replace(/\s+/g, ' ')).toBe(
      text.trim().replace(/\s+/g, ' '),
    );
  });

  it('folds nothing in a reply without a quote, or when the whole message is a quote', () => {
    expect(splitQuoted(reply)).toEqual({ reply });
    const allQuote = '> Signaal MH-2026-0001\n> tekst';
    expect(splitQuoted(allQuote)).toEqual({ reply: allQuote });
    const inline = 'Zie hieronder.\n> een regel\nMijn antwoord daarop.';
    expect(splitQuoted(inline)).toEqual({ reply: inline });
  });

  it("takes a long line of text for text, not for a mail client's attribution", () => {
    const long = `Op maandag ${'en dinsdag '.repeat(40)}schreef ik u al het volgende:`;
    const text = `${reply}\n${long}\nDe inspectie is gepland.`;
    expect(splitQuoted(text)).toEqual({ reply: text });
  });
});
