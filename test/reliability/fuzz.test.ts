import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HmacLinkSigner } from '#adapters/crypto/hmac.ts';
import { PostalMimeParser } from '#adapters/mail/postal-mime-parser.ts';
import { ConfigError, parseConfig } from '#core/config.ts';
import { intakeMail } from '#core/use-cases/intake-mail.ts';
import { readPartnerToken } from '#core/workflow/partner-link.ts';
import { FIELD_NAMES, parseMeldenForm } from '#forms/melden-form.ts';
import { Client, startTestRuntime } from '../support/local.ts';
import { exampleConfig, mailIntakeHarness } from '../support/mail-intake.ts';
import { report } from './report.ts';

/**
 * Parser fuzzing: whatever comes in, each parser ends in one of our own typed
 * results or errors, never an unexpected exception. Time-boxed per parser;
 * every failing seed is kept in test/fixtures/fuzz-seeds.json and replayed
 * first on the next run (a regression case).
 */
const BOX_MS = Number(process.env.RELIABILITY_FUZZ_MS ?? 10_000);
const SEEDS_FILE = 'test/fixtures/fuzz-seeds.json';
type Seed = { target: string; seed: number; path?: string; counterexample: string };

const seeds = (): Seed[] => JSON.parse(readFileSync(SEEDS_FILE, 'utf8')) as Seed[];

async function fuzz<T>(target: string, arb: fc.Arbitrary<T>, check: (v: T) => Promise<void>) {
  const property = fc.asyncProperty(arb, check);
  // Regression cases first: each kept seed must pass now.
  for (const s of seeds().filter((x) => x.target === target)) {
    const r = await fc.check(property, { seed: s.seed, ...(s.path ? { path: s.path } : {}) });
    if (r.failed) throw new Error(`${target}: kept seed ${s.seed} fails again`);
  }
  const r = await fc.check(property, {
    numRuns: 10_000_000,
    interruptAfterTimeLimit: BOX_MS,
    endOnFailure: true,
  });
  if (r.failed) {
    const kept = seeds();
    kept.push({
      target,
      seed: r.seed,
      ...(r.counterexamplePath ? { path: r.counterexamplePath } : {}),
      counterexample: fc.stringify(r.counterexample).slice(0, 2000),
    });
    writeFileSync(SEEDS_FILE, `${JSON.stringify(kept, null, 2)}\n`);
  }
  return { runs: r.numRuns, failed: r.failed, error: r.failed ? String(r.errorInstance) : '' };
}

const results: { target: string; runs: number; failed: boolean; error: string }[] = [];

// ---- arbitraries -----------------------------------------------------------

const nasty = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '\r\n',
    '\r',
    '\n',
    '\u2028',
    '\0',
    '=?utf-8?B?PHNjcmlwdD4=?=',
    '=?iso-8859-1?Q?=0D=0ABcc:_x@evil.example?=',
    '"',
    '<>',
    '@',
    ';',
    'boundary="b"',
    '--b',
    '--b--',
    ':',
    '\t',
    ' ',
    'ä',
    '💥',
  ),
);
const HEADER_NAMES = [
  'From',
  'To',
  'Cc',
  'Reply-To',
  'Subject',
  'Message-ID',
  'In-Reply-To',
  'References',
  'Date',
  'MIME-Version',
  'Content-Type',
  'Content-Transfer-Encoding',
  'Content-Disposition',
  'Auto-Submitted',
  'Precedence',
  'X-Auto-Response-Suppress',
  'Return-Path',
  'Delivered-To',
];
const headerLine = fc
  .tuple(
    fc.oneof(fc.constantFrom(...HEADER_NAMES), fc.string({ maxLength: 12 })),
    fc.array(nasty, { maxLength: 4 }),
  )
  .map(([k, v]) => `${k}: ${v.join('')}`);
const part = fc
  .tuple(
    fc.constantFrom(
      'text/plain; charset=utf-8',
      'text/html',
      'application/pdf; name="x.pdf"',
      'multipart/mixed; boundary="b"',
      'message/rfc822',
      'text/plain; charset=bogus',
    ),
    fc.constantFrom('7bit', 'base64', 'quoted-printable', 'x-uuencode', ''),
    fc.array(nasty, { maxLength: 6 }),
  )
  .map(
    ([ct, te, body]) =>
      `--b\r\nContent-Type: ${ct}\r\nContent-Transfer-Encoding: ${te}\r\n\r\n${body.join('')}\r\n`,
  );
const structuredMail = fc
  .tuple(
    fc.array(headerLine, { maxLength: 12 }),
    fc.boolean(),
    fc.array(part, { maxLength: 4 }),
    fc.array(nasty, { maxLength: 8 }),
    fc.constantFrom('\r\n', '\n', '\r'),
  )
  .map(([headers, multipart, parts, body, eol]) => {
    const head = [
      'From: Jan <jan@montfoort.example>',
      ...headers,
      ...(multipart ? ['Content-Type: multipart/mixed; boundary="b"'] : []),
    ];
    const text = multipart ? `${parts.join('')}--b--` : body.join('');
    return new TextEncoder().encode(`${head.join(eol)}${eol}${eol}${text}`);
  });
const mailBytes = fc.oneof(
  { weight: 4, arbitrary: structuredMail },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2000 }) },
);

const FORM_KEYS = [
  ...Object.values(FIELD_NAMES),
  '_csrf',
  'persons[0][name]',
  'persons[0][role]',
  'persons[0][age]',
  'persons[999999][email]',
  'persons[-1][name]',
  'organisations[0][kvk]',
  'organisations[3][address]',
  '__proto__',
  'constructor',
  'persons[0][__proto__]',
];
const formValue = fc.oneof(
  nasty,
  fc.constantFrom('ja', 'nee', 'labour', 'sexual', 'victim', 'lives_at_work', 'on', ''),
  fc.string({ minLength: 16, maxLength: 64 }),
);
const formBody = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constantFrom(...FORM_KEYS), fc.string({ maxLength: 20 })),
      fc.oneof(formValue, fc.array(formValue, { maxLength: 4 })),
    ),
    { maxLength: 25 },
  )
  .map((pairs) => {
    const body: Record<string, string | string[]> = Object.create(null);
    for (const [k, v] of pairs) body[k] = v;
    return body;
  });

/** The example config with random parts replaced, removed or added. */
const exampleRaw = JSON.parse(readFileSync('config/montfoort.example.json', 'utf8')) as Record<
  string,
  unknown
>;
const configInput = fc.oneof(
  fc.anything(),
  fc
    .tuple(
      fc.array(
        fc.tuple(
          fc.oneof(fc.constantFrom(...Object.keys(exampleRaw)), fc.string({ maxLength: 10 })),
          fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 3 })),
        ),
        { maxLength: 4 },
      ),
    )
    .map(([changes]) => {
      const c: Record<string, unknown> = structuredClone(exampleRaw);
      for (const [k, v] of changes) {
        if (v === undefined) delete c[k];
        else c[k] = v;
      }
      return c;
    }),
);

const tokenish = fc.oneof(
  fc.string({ maxLength: 90 }),
  fc.stringMatching(/^[a-z0-9]{10,40}\.[a-z0-9]{1,4}\.[a-z0-9]{1,4}\.[a-z0-9]{1,8}\.[a-z2-7]{16}$/),
  fc.stringMatching(/^[\w-]{40,64}$/),
  fc.string({ unit: 'binary', maxLength: 80 }),
);

// ---- the parsers -----------------------------------------------------------

describe('parser fuzzing', () => {
  afterAll(() => {
    const ok = results.every((r) => !r.failed);
    report(
      'parser fuzzing',
      `${results.map((r) => `${r.target} ${r.runs} runs${r.failed ? ' (FAILED)' : ''}`).join(', ')}; ${Math.round(BOX_MS / 1000)} s each; ${results.filter((r) => r.failed).length} unexpected exceptions; ${seeds().length} seeds kept`,
      ok,
    );
  });

  it('MIME parse and intake classification', async () => {
    const h = await mailIntakeHarness();
    // In-process parsing for throughput; the worker only adds a time box and a memory cap.
    const deps = { ...h.deps, parser: new PostalMimeParser({ isolation: 'inline' }) };
    const OUTCOMES = ['signal', 'auto-reply-ignored', 'bounce-ignored', 'unprocessable'];
    let n = 0;
    // The time box may end while a run is still writing: wait for it before closing the table.
    let inFlight: Promise<unknown> = Promise.resolve();
    try {
      const r = await fuzz('mime', mailBytes, async (raw) => {
        const run = intakeMail(deps, {
          rawId: `fz${String(++n).padStart(8, '0')}`,
          raw,
          receivedVia: 'smtp',
        });
        inFlight = run.catch(() => undefined);
        const outcome = await run;
        if (!OUTCOMES.includes(outcome.kind)) throw new Error(`unexpected ${outcome.kind}`);
      });
      results.push({ target: 'MIME intake', ...r });
      expect(r.error).toBe('');
    } finally {
      await inFlight;
      await h.close();
    }
  });

  it('the staff form parser', async () => {
    const r = await fuzz('melden-form', formBody, async (body) => {
      const out = parseMeldenForm(body, {
        reporterEmail: 'medewerker@montfoort.example',
        config: exampleConfig,
      });
      if (!out.ok && out.errors.length === 0) throw new Error('refused without a message');
    });
    results.push({ target: 'staff form', ...r });
    expect(r.error).toBe('');
  });

  it('the config schema', async () => {
    const r = await fuzz('config', configInput, async (raw) => {
      try {
        parseConfig(raw);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
      }
    });
    results.push({ target: 'config', ...r });
    expect(r.error).toBe('');
  });

  describe('tokens, parsed directly and over HTTP', () => {
    let t: Awaited<ReturnType<typeof startTestRuntime>>;
    beforeAll(async () => {
      t = await startTestRuntime();
    });
    afterAll(() => t.close());

    it('partner-link tokens', async () => {
      const signer = new HmacLinkSigner(randomBytes(32));
      const client = new Client(t.runtime.url);
      const { html } = await client.page('/login');
      const csrf = html.match(/name="_csrf"[^>]*value="([^"]+)"/)?.[1] ?? '';
      const r = await fuzz('partner-token', tokenish, async (token) => {
        const read = readPartnerToken(signer, token);
        if (read.ok) throw new Error('a random token passed the signature check');
        if (!['malformed', 'tampered'].includes(read.reason)) throw new Error(read.reason);
        const path = `/partner/${encodeURIComponent(token)}`;
        const get = await client.request(path);
        await get.text();
        const post = await client.request(path, {
          method: 'POST',
          form: { _csrf: csrf, text: 'x' },
        });
        await post.text();
        // 410 "link no longer valid"; 404 when the path does not route at all (a slash in it).
        for (const s of [get.status, post.status])
          if (![404, 410, 429].includes(s)) throw new Error(`answered ${s}`);
      });
      results.push({ target: 'partner token', ...r });
      expect(r.error).toBe('');
    });

    it('sign-in tokens', async () => {
      const client = new Client(t.runtime.url);
      const r = await fuzz('sign-in-token', tokenish, async (token) => {
        const get = await client.request(`/aanmelden/${encodeURIComponent(token)}`);
        await get.text();
        const post = await client.request('/aanmelden/bevestigen', {
          method: 'POST',
          form: { token },
        });
        await post.text();
        for (const s of [get.status, post.status])
          if (![404, 410, 429].includes(s)) throw new Error(`answered ${s}`);
      });
      results.push({ target: 'sign-in token', ...r });
      expect(r.error).toBe('');
    });
  });
});
