import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { buildClient, CommitmentPolicy } from '@aws-crypto/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncryptionSdkCrypto, rawAesKeyring } from '#adapters/crypto/encryption-sdk.ts';
import { buildLambda, LAMBDA_ENTRY_FILE, type LambdaBundle } from '../../infra/bundle.ts';
import { testTable } from '../support/dynamo.ts';

/**
 * Handlers built by infra/bundle.ts, the build `cdk synth` deploys and
 * bench/suites/lambda-bundles.ts measures (its zod and Encryption SDK
 * plugins, code splitting), each run in a fresh Node process as Lambda runs
 * it: through `handler`, with the config next to the bundle, against
 * dynalite. And what each loads at init: what issue 8 took out stays out.
 * Every handler in functions/handlers is built; some are also run.
 */

const run = promisify(execFile);
const HANDLERS = join(import.meta.dirname, '..', '..', 'functions', 'handlers');
const KEY_ARN = 'arn:aws:kms:eu-central-1:111122223333:key/11111111-2222-3333-4444-555555555555';
/** The Lambda context, without its getRemainingTimeInMillis (added in the child). */
const CONTEXT = {
  functionName: 'meldroute-test',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
};

let dir: string;
let table: Awaited<ReturnType<typeof testTable>>;
const built = new Map<string, LambdaBundle>();
/** Every handler in functions/handlers, as built in beforeAll. */
const HANDLER_NAMES: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meldroute-bundles-'));
  table = await testTable();
  const configJson = await readFile(
    join(import.meta.dirname, '..', '..', 'config', 'montfoort.example.json'),
    'utf8',
  );
  const handlers = (await readdir(HANDLERS))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => basename(f, '.ts'));
  HANDLER_NAMES.push(...handlers);
  for (const name of handlers) {
    const assets = name === 'web' ? (['templates', 'stylesheet'] as const) : [];
    const entry = join(HANDLERS, `${name}.ts`);
    built.set(name, await buildLambda({ entry, outdir: join(dir, name), configJson, assets }));
  }
  built.set(
    'lazy-crypto',
    await buildLambda({
      // What the reminders and SES events functions wire: the Encryption SDK on first use.
      entry: {
        contents: [
          "import { lazyEnvelopeCrypto } from './functions/handlers/shared/lazy-crypto.ts';",
          'export const roundTrip = async (text: string) => {',
          "  const { rawAesKeyring } = await import('./functions/adapters/crypto/encryption-sdk.ts');",
          '  const crypto = lazyEnvelopeCrypto({}, rawAesKeyring(new Uint8Array(32).fill(7)));',
          "  const context = { municipality: 'montfoort', signalId: 's1', part: 'mail' };",
          '  const sealed = await crypto.encrypt(new TextEncoder().encode(text), context);',
          '  return new TextDecoder().decode(await crypto.decrypt(sealed, context));',
          '};',
        ].join('\n'),
      },
      outdir: join(dir, 'lazy-crypto'),
    }),
  );
  built.set(
    'qr',
    await buildLambda({
      // What forms/routes/second-factor.tsx does on the enrolment page.
      entry: {
        contents:
          "export const qr = async (uri: string) => { const { default: QRCode } = await import('qrcode'); return QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 240 }); };",
      },
      outdir: join(dir, 'qr'),
    }),
  );
  built.set(
    'crypto',
    await buildLambda({
      entry: { contents: "export * from '#adapters/crypto/encryption-sdk.ts';" },
      outdir: join(dir, 'crypto'),
    }),
  );
}, 120_000);

afterAll(async () => {
  await table?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Imports `name`'s index.mjs in a fresh Node process (dummy credentials, dynalite, no AWS) and runs `script`. */
async function inBundle(name: string, script: string) {
  const bundleDir = join(dir, name);
  const url = pathToFileURL(join(bundleDir, LAMBDA_ENTRY_FILE)).href;
  const { stdout } = await run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      // Only the stack on failure: Node would print the minified line the error came from.
      `try { const mod = await import(${JSON.stringify(url)});\n${script}\n} catch (e) { console.error(e?.stack ?? e); process.exit(1); }`,
    ],
    {
      cwd: bundleDir,
      timeout: 30_000,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_OPTIONS: '--enable-source-maps',
        LAMBDA_TASK_ROOT: bundleDir,
        MELDROUTE_CONFIG: 'config.json',
        TABLE_NAME: table.table,
        DYNAMODB_ENDPOINT: table.endpoint,
        KMS_KEY_ARN: KEY_ARN,
        AWS_REGION: 'eu-central-1',
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'not-a-secret',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        POWERTOOLS_LOG_LEVEL: 'ERROR',
      },
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
}

const loadedAtInit = (name: string) => (built.get(name) as LambdaBundle).initInputs;

/** Every source file with code in any of `name`'s output files, lazy chunks included. */
/** Minified bytes in `name`'s bundle (every chunk) from inputs matching `pattern`. */
function bytesFrom(name: string, pattern: RegExp): number {
  let bytes = 0;
  for (const output of Object.values((built.get(name) as LambdaBundle).metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (pattern.test(input)) bytes += bytesInOutput;
    }
  }
  return bytes;
}

function inBundleAtAll(name: string): Set<string> {
  const inputs = new Set<string>();
  for (const output of Object.values((built.get(name) as LambdaBundle).metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (bytesInOutput > 0) inputs.add(input);
    }
  }
  return inputs;
}

const anyInput = (inputs: Set<string>, pattern: RegExp) => [...inputs].some((i) => pattern.test(i));

describe('lambda bundles as deployed', () => {
  it('the outbox initialises and sweeps an empty outbox through its own DynamoDB client', async () => {
    const result = await inBundle(
      'outbox',
      `const ctx = { ...${JSON.stringify(CONTEXT)}, getRemainingTimeInMillis: () => 30000 };
       console.log(JSON.stringify(await mod.handler({ job: 'outbox-sweep' }, ctx)));`,
    );
    expect(result).toEqual({ trigger: 'schedule', sent: 0, failed: 0, found: 0, rounds: 1 });
  });

  it('the SES events function records nothing for a bounce of a mail it does not know', async () => {
    const bounce = (mailId: string) => ({
      source: 'aws.ses',
      'detail-type': 'Email Bounced',
      detail: {
        eventType: 'Bounce',
        mail: { messageId: 'm-1', tags: { mail: [mailId] } },
        bounce: { bounceType: 'Permanent', bouncedRecipients: [] },
      },
    });
    const result = await inBundle(
      'ses-events',
      `const ctx = { ...${JSON.stringify(CONTEXT)}, getRemainingTimeInMillis: () => 30000 };
       const out = [];
       for (const e of ${JSON.stringify([bounce('digest-2026-03-02'), bounce('abcdef123456-receipt')])})
         out.push(await mod.handler(e, ctx));
       console.log(JSON.stringify(out));`,
    );
    expect(result).toEqual([
      { eventType: 'Bounce', outcome: 'no-signal' },
      { eventType: 'Bounce', outcome: 'not-found' },
    ]);
  });

  it('the bundled Encryption SDK opens what the unbundled one sealed (signing suite too), and back', async () => {
    const key = randomBytes(32).toString('hex');
    const keyring = () => rawAesKeyring(new Uint8Array(Buffer.from(key, 'hex')));
    const context = { municipality: 'montfoort', signalId: 'sig1', part: 'content' };
    // The SDK's default suite signs with ECDSA P-384: parts written before ADR 0013 look like this.
    const { encrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const old = await encrypt(keyring(), Buffer.from('eerder verzegeld'), {
      encryptionContext: context,
    });

    const result = await inBundle(
      'crypto',
      `const crypto = new mod.EncryptionSdkCrypto(mod.rawAesKeyring(new Uint8Array(Buffer.from('${key}', 'hex'))));
       const context = ${JSON.stringify(context)};
       const opened = await crypto.decrypt(Buffer.from('${Buffer.from(old.result).toString('base64')}', 'base64'), context);
       const sealed = await crypto.encrypt(Buffer.from('nu verzegeld'), context);
       console.log(JSON.stringify({ opened: Buffer.from(opened).toString(), sealed: Buffer.from(sealed).toString('base64') }));`,
    );

    expect(result.opened).toBe('eerder verzegeld');
    const reopened = await new EncryptionSdkCrypto(keyring()).decrypt(
      Buffer.from(result.sealed, 'base64'),
      context,
    );
    expect(Buffer.from(reopened).toString()).toBe('nu verzegeld');
  });

  it("the bundled Encryption SDK, on Node's own streams, seals and opens many frames and refuses a damaged message", async () => {
    const key = randomBytes(32).toString('hex');
    const keyring = () => rawAesKeyring(new Uint8Array(Buffer.from(key, 'hex')));
    const context = { municipality: 'montfoort', signalId: 'sig1', part: 'content' };
    // Five 64 KiB frames and a short last one; the same bytes from a seed on both sides.
    const size = 5 * 64 * 1024 + 123;
    const plain = (seed: number) => Buffer.alloc(size, seed);
    // Too long for a command line: the child reads it from a file.
    const oldFile = join(dir, 'multi-frame.bin');
    await writeFile(oldFile, await new EncryptionSdkCrypto(keyring()).encrypt(plain(7), context));

    const result = await inBundle(
      'crypto',
      `const crypto = new mod.EncryptionSdkCrypto(mod.rawAesKeyring(new Uint8Array(Buffer.from('${key}', 'hex'))));
       const context = ${JSON.stringify(context)};
       const old = (await import('node:fs')).readFileSync(${JSON.stringify(oldFile)});
       const opened = Buffer.from(await crypto.decrypt(old, context));
       const sealed = await crypto.encrypt(Buffer.alloc(${size}, 9), context);
       const refusals = [];
       const damaged = Buffer.from(old); damaged[damaged.length - 200] ^= 1;
       for (const bad of [damaged, old.subarray(0, old.length - 1000), old.subarray(0, 100)]) {
         try { await crypto.decrypt(bad, context); refusals.push('opened'); }
         catch (e) { refusals.push(e.name + ': ' + e.cause?.message); }
       }
       console.log(JSON.stringify({
         opened: opened.equals(Buffer.alloc(${size}, 7)),
         sealed: Buffer.from(sealed).toString('base64'),
         refusals,
       }));`,
    );

    expect(result.opened).toBe(true);
    // Refused by the SDK's own checks, as the unbundled SDK refuses them: not a stream that broke.
    expect(result.refusals).toEqual([
      expect.stringMatching(/^DecryptionError: .*unable to authenticate data/),
      'DecryptionError: Incomplete message',
      'DecryptionError: Incomplete Header',
    ]);
    const reopened = await new EncryptionSdkCrypto(keyring()).decrypt(
      Buffer.from(result.sealed, 'base64'),
      context,
    );
    expect(Buffer.from(reopened).equals(plain(9))).toBe(true);
  });

  it('seal and open with an Encryption SDK loaded on first use', async () => {
    const result = await inBundle(
      'lazy-crypto',
      `console.log(JSON.stringify(await mod.roundTrip('herinnering')));`,
    );
    expect(result).toBe('herinnering');
    expect(anyInput(loadedAtInit('lazy-crypto'), /@aws-crypto\//)).toBe(false);
  });

  it('draw the QR code from a lazily loaded chunk', async () => {
    const result = await inBundle(
      'qr',
      `console.log(JSON.stringify(await mod.qr('otpauth://totp/Meldroute:a@b.example?secret=JBSWY3DPEHPK3PXP')));`,
    );
    expect(result).toMatch(/^data:image\/png;base64,/);
    expect(anyInput(loadedAtInit('qr'), /node_modules\/qrcode\//)).toBe(false);
  });

  it('load at init only what their first request needs', () => {
    for (const name of ['outbox', 'ses-events', 'web']) {
      const init = loadedAtInit(name);
      // zod's messages in English only; the other locales are not in the bundle at all.
      expect(anyInput(init, /node_modules\/zod\/v4\/locales\/en\.js$/), name).toBe(true);
      const all = inBundleAtAll(name);
      expect(anyInput(all, /node_modules\/zod\/v4\/locales\/(nl|de|fr)\.js$/), name).toBe(false);
      // The Encryption SDK without the keyrings and caches Meldroute does not use.
      expect(
        anyInput(all, /@aws-crypto\/(branch-keystore-node|caching-materials-manager-node)/),
        name,
      ).toBe(false);
      expect(anyInput(init, /node_modules\/(mjml|dynalite|tsx|smtp-server)\//), name).toBe(false);
    }
    // The SES events function seals nothing: the Encryption SDK loads only if it ever does.
    expect(anyInput(loadedAtInit('ses-events'), /@aws-crypto\//)).toBe(false);
    // Reminders seal only on a day with something due, the outbox only when a sweep finds
    // mail, the web function not for a form or list page: loaded on the first seal or open.
    for (const name of ['reminders', 'outbox', 'web']) {
      expect(anyInput(loadedAtInit(name), /@aws-crypto\//), name).toBe(false);
    }
    expect(anyInput(inBundleAtAll('reminders'), /@aws-crypto\/encrypt-node\//)).toBe(true);
    // The QR code is drawn only on the authenticator enrolment page.
    expect(anyInput(loadedAtInit('web'), /node_modules\/(qrcode|pngjs)\//)).toBe(false);
    expect(anyInput(inBundleAtAll('web'), /node_modules\/qrcode\//)).toBe(true);
  });

  it("carry no copy of Node's stream module, and no nodemailer: SES composes the MIME", () => {
    expect(HANDLER_NAMES).toEqual(expect.arrayContaining(['outbox', 'ses-inbound', 'web']));
    for (const name of [...HANDLER_NAMES, 'crypto']) {
      const all = inBundleAtAll(name);
      // infra/bundle.ts hands the Encryption SDK Node's own stream module instead.
      expect(anyInput(all, /node_modules\/readable-stream\//), name).toBe(false);
      expect(anyInput(all, /node_modules\/nodemailer\//), name).toBe(false);
    }
    expect(anyInput(inBundleAtAll('crypto'), /^meldroute-node-stream:readable-stream$/)).toBe(true);
  });

  it('carry zod/mini only, never zod classic (docs/adr/0017)', () => {
    for (const name of HANDLER_NAMES) {
      const all = inBundleAtAll(name);
      // `from 'zod'` anywhere brings classic (about 190 KiB) back into every bundle importing it.
      expect(anyInput(all, /node_modules\/zod\/v4\/classic\//), name).toBe(false);
      expect(anyInput(all, /node_modules\/zod\/v4\/mini\//), name).toBe(true);
      // `import { z } from 'zod/mini'` keeps all of mini (about 165 KiB); `import * as z`, what is used.
      expect(bytesFrom(name, /node_modules\/zod\//), name).toBeLessThan(60 * 1024);
    }
  });

  it('stop the build when readable-stream is imported other than the checked way', async () => {
    const attempt = (contents: string) =>
      buildLambda({ entry: { contents }, outdir: join(dir, 'refused'), logLevel: 'silent' });
    await expect(attempt("import 'readable-stream/transform';")).rejects.toThrow(
      /only the bare 'readable-stream' is mapped/,
    );
    // Our own code (or a new dependency) would get Node's streams unchecked.
    await expect(attempt("export { Transform } from 'readable-stream';")).rejects.toThrow(
      /stands in for readable-stream only for the Encryption SDK and duplexify/,
    );
  });
});
