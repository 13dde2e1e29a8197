/**
 * Each Lambda handler's esbuild bundle (minified) against a bare handler
 * importing the same AWS SDK clients; and cold start: a fresh Node process
 * importing the bundled handler until its module is initialised, against a
 * fresh Node process importing the bare one.
 *
 * Handlers are found by glob (functions/handlers/*.ts); the ones the issue
 * names but that do not exist yet get a "not measured yet" row. Both sides
 * are built by infra/bundle.ts's `buildLambda`, the build CDK deploys
 * (infra/constructs/function.ts): the same esbuild options and plugins, the
 * same files next to the bundle. Size counts every JavaScript file of the
 * asset, lazily imported chunks included; the cold start loads only
 * index.mjs and what it imports statically. Cold start here is Node 20 on
 * this machine's x64; Lambda runs Node 22 on arm64, so only the ratio
 * carries over.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildLambda, LAMBDA_ENTRY_FILE, type LambdaBundle } from '../../infra/bundle.ts';
import { atMost, failed, measured, notMeasured, type Row } from '../lib/harness.ts';
import { type BenchContext, ROOT, scratchDir } from '../lib/setup.ts';
import { median } from '../lib/stats.ts';

const SIZE_BUDGET = atMost(1.25);
const COLD_BUDGET = atMost(1.5);
/** Named in the issue's brief; others are measured when they exist. */
const EXPECTED = ['web', 'outbox', 'ses-inbound'];

const sizeMetric = (h: string) => `Lambda bundle size: ${h}`;
const coldMetric = (h: string) => `Lambda cold start: ${h} (p50)`;

/** What the CDK stacks set (test/infra/bundles.test.ts uses the same): names and ARNs, no secrets. */
const LAMBDA_ENV = {
  PATH: process.env.PATH ?? '',
  // As infra/constructs/function.ts sets it: Node then reads each loaded file's source map at
  // import. BENCH_LAMBDA_NODE_OPTIONS='' measures without (the figures before issue 8's change).
  NODE_OPTIONS: process.env.BENCH_LAMBDA_NODE_OPTIONS ?? '--enable-source-maps',
  MELDROUTE_CONFIG: 'config.json',
  TABLE_NAME: 'meldroute',
  KMS_KEY_ARN: 'arn:aws:kms:eu-central-1:111122223333:key/11111111-2222-3333-4444-555555555555',
  SECRETS_KEY_ARN: 'arn:aws:kms:eu-central-1:111122223333:key/66666666-2222-3333-4444-555555555555',
  RAW_MAIL_BUCKET: 'raw',
  RAW_MAIL_PREFIX: 'raw/',
  ATTACHMENTS_BUCKET: 'attachments',
  SES_CONFIGURATION_SET: 'meldroute',
  AWS_REGION: 'eu-central-1',
  BASE_URL: 'https://abc123.execute-api.eu-central-1.amazonaws.com',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
};

type Bundle = LambdaBundle & {
  dir: string;
  file: string;
  /** Every AWS SDK client package in the bundle, sorted. */
  clients: string[];
  /** Those only in lazily imported chunks (loaded on first use, not at init). */
  lazyClients: string[];
};

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

/** What a bundle's bytes are, by origin: the row's budget is unchanged, this says where they go. */
const ORIGINS: [label: string, pattern: RegExp][] = [
  [
    'AWS SDK',
    /node_modules\/(@aws-sdk|@smithy|@aws\/|bowser|mnemonist|fast-xml-parser|strnum|tslib|uuid)/,
  ],
  [
    'Encryption SDK',
    /node_modules\/(@aws-crypto|bn\.js|asn1\.js|duplexify|end-of-stream|inherits|minimalistic-assert|safer-buffer|stream-shift|once|wrappy)\/|^meldroute-node-stream:/,
  ],
  ['zod', /node_modules\/zod\//],
  ['Meldroute', /^(functions|forms|templates|config)\//],
];

function composition(bundle: Bundle): string {
  const bytes = new Map<string, number>();
  for (const output of Object.values(bundle.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const label = ORIGINS.find(([, re]) => re.test(input))?.[0] ?? 'other libraries';
      bytes.set(label, (bytes.get(label) ?? 0) + bytesInOutput);
    }
  }
  return [...ORIGINS.map(([label]) => label), 'other libraries']
    .filter((label) => bytes.get(label))
    .map((label) => `${label} ${kib(bytes.get(label) ?? 0)}`)
    .join(', ');
}

export async function lambdaBundlesSuite(ctx: BenchContext): Promise<Row[]> {
  const handlersDir = join(ROOT, 'functions', 'handlers');
  const handlers = (await readdir(handlersDir))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => basename(f, '.ts'))
    .sort();
  const rows: Row[] = [];
  const out = await scratchDir(ctx, 'bundles');
  const bare = new Map<string, Promise<Bundle>>();
  const runs = ctx.quick ? 3 : 10;

  for (const name of handlers) {
    try {
      const bundle = await bundleHandler(ctx, join(handlersDir, `${name}.ts`), join(out, name));
      const key = `${bundle.clients.join(',')} lazy ${bundle.lazyClients.join(',')}`;
      if (!bare.has(key))
        bare.set(
          key,
          bareBundle(ctx, bundle.clients, bundle.lazyClients, join(out, `bare-${bare.size}`)),
        );
      const baseline = await (bare.get(key) as Promise<Bundle>);
      const lazy = new Set(bundle.lazyClients);
      const sdk = bundle.clients.length
        ? bundle.clients.map((c) => (lazy.has(c) ? `${c} (lazy)` : c)).join(', ')
        : 'no AWS SDK client';
      rows.push(
        measured({
          metric: sizeMetric(name),
          unit: 'bytes',
          value: bundle.totalBytes,
          baseline: { label: 'bare handler, same SDK clients', value: baseline.totalBytes },
          budget: SIZE_BUDGET,
          note: `minified ESM without source maps, all chunks; loaded at init ${kib(bundle.initBytes)} (bare ${kib(baseline.initBytes)}); SDK: ${sdk}; made of ${composition(bundle)}`,
        }),
      );
      const times = await coldStarts([bundle, baseline], runs);
      rows.push(
        measured({
          metric: coldMetric(name),
          unit: 'ms',
          value: median(times[0] ?? []),
          baseline: { label: 'bare handler', value: median(times[1] ?? []) },
          budget: COLD_BUDGET,
          note: `fresh \`node\` importing the bundle until its module is initialised, ${runs} runs each, alternating`,
        }),
      );
    } catch (err) {
      rows.push(
        failed(sizeMetric(name), SIZE_BUDGET, err),
        failed(coldMetric(name), COLD_BUDGET, err),
      );
    }
  }
  for (const name of EXPECTED.filter((h) => !handlers.includes(h))) {
    const reason = `functions/handlers/${name}.ts does not exist yet`;
    rows.push(notMeasured(sizeMetric(name), SIZE_BUDGET, reason));
    rows.push(notMeasured(coldMetric(name), COLD_BUDGET, reason));
  }
  return rows;
}

async function bundleHandler(ctx: BenchContext, entry: string, dir: string): Promise<Bundle> {
  // Every run-time file, whichever the handler reads: the stacks choose per function.
  const bundle = await buildLambda({
    entry,
    outdir: dir,
    configJson: await readFile(ctx.configFile, 'utf8'),
    assets: ['templates', 'stylesheet'],
    logLevel: 'silent',
  });
  const clientsIn = (inputs: Iterable<string>) => {
    const clients = new Set<string>();
    for (const input of inputs) {
      const m = input.match(/node_modules\/@aws-sdk\/(client-[a-z0-9-]+|lib-dynamodb)\//);
      if (m?.[1]) clients.add(`@aws-sdk/${m[1]}`);
    }
    return clients;
  };
  const all = clientsIn(Object.keys(bundle.metafile.inputs));
  const atInit = clientsIn(bundle.initInputs);
  return {
    ...bundle,
    dir,
    file: join(dir, LAMBDA_ENTRY_FILE),
    clients: [...all].sort(),
    lazyClients: [...all].filter((c) => !atInit.has(c)).sort(),
  };
}

/**
 * A handler that constructs each SDK client the real one bundles, and does
 * nothing else: at init, or on its first call for those the real one only
 * imports lazily.
 */
async function bareBundle(
  ctx: BenchContext,
  clients: string[],
  lazyClients: string[],
  dir: string,
): Promise<Bundle> {
  const lazy = new Set(lazyClients);
  const lines: string[] = [];
  const made: string[] = [];
  const later: string[] = [];
  for (const [i, pkg] of clients.entries()) {
    if (pkg === '@aws-sdk/lib-dynamodb') continue;
    const cls = await clientClass(pkg);
    if (lazy.has(pkg)) {
      later.push(`new (await import('${pkg}')).${cls}({})`);
    } else {
      lines.push(`import { ${cls} as C${i} } from '${pkg}';`);
      made.push(`new C${i}({})`);
    }
  }
  if (clients.includes('@aws-sdk/lib-dynamodb')) {
    lines.push(
      "import { DynamoDBClient as DocBase } from '@aws-sdk/client-dynamodb';",
      "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
    );
    made.push('DynamoDBDocumentClient.from(new DocBase({}))');
  }
  lines.push(
    `const clients: unknown[] = [${made.join(', ')}];`,
    'export const handler = async () => {',
    ...later.map((c) => `  clients.push(${c});`),
    '  return { statusCode: 200, body: String(clients.length) };',
    '};',
  );
  const bundle = await buildLambda({
    entry: { contents: lines.join('\n') },
    outdir: dir,
    logLevel: 'silent',
  });
  const described = clients.map((c) => (lazy.has(c) ? `${c} (lazy)` : c)).join(', ');
  ctx.log(`bundles: bare handler with ${described || 'no SDK client'}`);
  return { ...bundle, dir, file: join(dir, LAMBDA_ENTRY_FILE), clients, lazyClients };
}

/** The client class a package exports (`@aws-sdk/client-sesv2` → `SESv2Client`). */
async function clientClass(pkg: string): Promise<string> {
  const mod = (await import(pkg)) as Record<string, unknown>;
  const names = Object.keys(mod).filter(
    (k) => k.endsWith('Client') && !k.startsWith('_') && typeof mod[k] === 'function',
  );
  if (names.length !== 1)
    throw new Error(`${pkg}: cannot tell its client class (${names.join(', ')})`);
  return names[0] as string;
}

/** Wall time of fresh processes importing each bundle, alternating, `runs` each. */
async function coldStarts(bundles: Bundle[], runs: number): Promise<number[][]> {
  const times = bundles.map(() => [] as number[]);
  for (const b of bundles) await coldStart(b); // the file system cache is warm for all
  for (let i = 0; i < runs; i++) {
    for (const [k, b] of bundles.entries()) times[k]?.push(await coldStart(b));
  }
  return times;
}

function coldStart(b: Bundle): Promise<number> {
  const code = `await import(${JSON.stringify(pathToFileURL(b.file).href)}); process.exit(0);`;
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    cwd: b.dir,
    env: { ...LAMBDA_ENV, LAMBDA_TASK_ROOT: b.dir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      if (code === 0) resolve(ms);
      else
        reject(
          new Error(
            `${basename(b.dir)} did not load: ${err.trim().split('\n').slice(-1)[0] ?? code}`,
          ),
        );
    });
  });
}
