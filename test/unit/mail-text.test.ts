import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  normaliseContentType,
  safeFilename,
  servedContentType,
  typeLies,
} from '#core/mail/content-type.ts';
import { decodeEntities, htmlToText } from '#core/mail/html-to-text.ts';

describe('HTML mail as plain text', () => {
  it('keeps the words, drops the markup, decodes entities', () => {
    const html =
      '<html><head><title>x</title><style>p{color:red}</style></head><body>' +
      '<p>Beste AF,</p><p>Ik zag <b>drie</b> mensen &amp; een bus&nbsp;bij de loods.</p>' +
      '<ul><li>één</li><li>twee</li></ul><script>alert(1)</script>&lt;geen tag&gt;</body></html>';
    expect(htmlToText(html)).toBe(
      'Beste AF,\n\nIk zag drie mensen & een bus bij de loods.\n\n- één\n- twee\n<geen tag>',
    );
  });

  it('never lets a tag through, whatever the input', () => {
    // Markup characters and controls only (no '&': "&lt;b&gt;" is text the author wrote).
    const unit = fc.constantFrom(
      '<',
      '>',
      '/',
      '!',
      '?',
      '-',
      '=',
      '"',
      "'",
      ' ',
      '\n',
      '\r',
      '\u0007',
      'a',
      'b',
      'i',
      'p',
      's',
      't',
      'y',
      'l',
      'e',
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 300 }), (s) => {
        const out = htmlToText(s);
        // Not even one assembled from the pieces left around removed markup ("<<i>b>").
        expect(out).not.toMatch(/<\/?[a-z][^<>]*>/i);
        // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting that none survive
        expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
      }),
      { numRuns: 2000 },
    );
    expect(htmlToText('<<i>b>')).toBe('< b>');
    expect(htmlToText('<img src=x onerror=alert(1)><a href="javascript:x">klik</a>')).toBe('klik');
  });

  it('keeps text after an unclosed <title> or <style>', () => {
    expect(htmlToText('<title>Onderwerp<p>De tekst')).toContain('De tekst');
  });

  it('takes linear time on pathological markup', () => {
    const nasty = `${'<title><style><a href="'.repeat(20_000)}${'<'.repeat(200_000)}`;
    const started = performance.now();
    htmlToText(nasty);
    htmlToText('<script>'.repeat(100_000));
    htmlToText('<!--'.repeat(100_000));
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('decodes numeric entities and refuses invalid code points', () => {
    expect(decodeEntities('&#233;&#x20AC;&#0;&#xD800;&unknown;')).toBe('é€\ufffd\ufffd&unknown;');
  });
});

describe('attachment types and names', () => {
  const pdf = new TextEncoder().encode('%PDF-1.4 ...');
  const html = new TextEncoder().encode('<html><script>alert(1)</script></html>');

  it('serves a proven inert type as itself and anything else as a download', () => {
    expect(servedContentType('application/pdf', pdf)).toBe('application/pdf');
    expect(servedContentType('application/pdf', html)).toBe('application/octet-stream');
    expect(servedContentType('text/html', html)).toBe('application/octet-stream');
    expect(servedContentType('image/svg+xml', html)).toBe('application/octet-stream');
  });

  it('notices a content type that lies', () => {
    expect(typeLies('application/pdf', html)).toBe(true);
    expect(typeLies('image/png', pdf)).toBe(true);
    expect(typeLies('application/pdf', pdf)).toBe(false);
    expect(typeLies('application/octet-stream', html)).toBe(false);
  });

  it('normalises declared types', () => {
    expect(normaliseContentType('Image/JPG; name=x')).toBe('image/jpeg');
    expect(normaliseContentType('application-x-gzip')).toBe('application/octet-stream');
  });

  it('makes file names safe to show and to download', () => {
    expect(safeFilename('../../etc/passwd', 'text/plain', 1)).toBe('passwd');
    expect(safeFilename('C:\\temp\\rapport.pdf', 'application/pdf', 1)).toBe('rapport.pdf');
    expect(safeFilename('foto\u202Egpj.exe', 'image/jpeg', 1)).toBe('fotogpj.exe');
    expect(safeFilename('  ', 'application/pdf', 3)).toBe('bijlage-3.pdf');
    expect(safeFilename(`${'a'.repeat(300)}.pdf`, 'application/pdf', 1)).toMatch(/^a{146}\.pdf$/);
  });
});
