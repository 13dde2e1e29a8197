/**
 * Each Lambda handler's esbuild bundle (minified) against a bare handler
 * importing the same AWS SDK clients; and cold start: a fresh Node process
 * importing the bundled handler until its module is initialised, against a
 * fresh Node process importing the bare one.
 *
 * Handlers are found by glob (functions/handlers/*.ts); the ones the issue
 * names but that do not exist yet get a "not measured yet" row. The esbuild
 * options are infra/constructs/function.ts's (NodejsFunction's bundling),
 * repeated here because loading aws-cdk-lib to read them takes seconds.
 * Cold start here is Node 20 on this machine's x64; Lambda runs Node 22 on
 * arm64, so only the ratio carries over.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import { atMost, failed, measured, notMeasured, type Row } from '../lib/harness.ts';
import { type BenchContext, ROOT, scratchDir } from '../lib/setup.ts';
import { median } from '../lib/stats.ts';

const SIZE_BUDGET = atMost(1.25);
const COLD_BUDGET = atMost(1.5);
/** Named in the issue's brief; others are measured when they exist. */
const EXPECTED = ['web', 'outbox', 'ses-inbound'];

const sizeMetric = (h: string) => `Lambda bundle size: ${h}`;
const coldMetric = (h: string) => `Lambda cold start: ${h} (p50)`;

/** infra/constructs/function.ts, `bundling`. */
const ESBUILD: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minify: true,
  sourcemap: false,
  mainFields: ['module', 'main'],
  external: [],
  banner: {
    js: "import { createRequire as __meldrouteRequire } from 'node:module'; const require = __meldrouteRequire(import.meta.url);",
  },
  tsconfig: join(ROOT, 'tsconfig.json'),
  logLevel: 'silent',
  metafile: true,
};

/** What the CDK stacks set (test/infra/bundles.test.ts uses the same): names and ARNs, no secrets. */
const LAMBDA_ENV = {
  PATH: process.env.PATH ?? '',
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

type Bundle = { dir: string; file: string; bytes: number; clients: string[] };

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
      const key = bundle.clients.join(',');
      if (!bare.has(key))
        bare.set(key, bareBundle(ctx, bundle.clients, join(out, `bare-${bare.size}`)));
      const baseline = await (bare.get(key) as Promise<Bundle>);
      const sdk = bundle.clients.length ? bundle.clients.join(', ') : 'no AWS SDK client';
      rows.push(
        measured({
          metric: sizeMetric(name),
          unit: 'bytes',
          value: bundle.bytes,
          baseline: { label: 'bare handler, same SDK clients', value: baseline.bytes },
          budget: SIZE_BUDGET,
          note: `minified ESM without source map; SDK: ${sdk}`,
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
  const file = join(dir, 'index.mjs');
  const result = await build({
    ...ESBUILD,
    entryPoints: [entry],
    outfile: file,
    absWorkingDir: ROOT,
  });
  // What infra's afterBundling puts next to the bundle (config, templates, stylesheet).
  await writeFile(join(dir, 'config.json'), await readFile(ctx.configFile));
  await mkdir(join(dir, 'compiled'), { recursive: true });
  await mkdir(join(dir, 'static'), { recursive: true });
  const templates = join(ROOT, 'templates');
  for (const f of await readdir(join(templates, 'compiled'))) {
    if (f.endsWith('.html'))
      await copyFile(join(templates, 'compiled', f), join(dir, 'compiled', f));
  }
  for (const f of await readdir(templates)) {
    if (f.endsWith('.txt')) await copyFile(join(templates, f), join(dir, f));
  }
  await copyFile(
    join(ROOT, 'forms', 'static', 'meldroute.css'),
    join(dir, 'static', 'meldroute.css'),
  );

  const clients = new Set<string>();
  for (const input of Object.keys(result.metafile?.inputs ?? {})) {
    const m = input.match(/node_modules\/@aws-sdk\/(client-[a-z0-9-]+|lib-dynamodb)\//);
    if (m?.[1]) clients.add(`@aws-sdk/${m[1]}`);
  }
  return { dir, file, bytes: (await stat(file)).size, clients: [...clients].sort() };
}

/** A handler that constructs each SDK client the real one bundles, and does nothing else. */
async function bareBundle(ctx: BenchContext, clients: string[], dir: string): Promise<Bundle> {
  const lines: string[] = [];
  const made: string[] = [];
  for (const [i, pkg] of clients.entries()) {
    if (pkg === '@aws-sdk/lib-dynamodb') continue;
    const cls = await clientClass(pkg);
    lines.push(`import { ${cls} as C${i} } from '${pkg}';`);
    made.push(`new C${i}({})`);
  }
  if (clients.includes('@aws-sdk/lib-dynamodb')) {
    lines.push(
      "import { DynamoDBClient as DocBase } from '@aws-sdk/client-dynamodb';",
      "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
    );
    made.push('DynamoDBDocumentClient.from(new DocBase({}))');
  }
  lines.push(
    `const clients = [${made.join(', ')}];`,
    'export const handler = async () => ({ statusCode: 200, body: String(clients.length) });',
  );
  const file = join(dir, 'index.mjs');
  const result = await build({
    ...ESBUILD,
    stdin: {
      contents: lines.join('\n'),
      resolveDir: ROOT,
      loader: 'js',
      sourcefile: 'bare-handler.mjs',
    },
    outfile: file,
    absWorkingDir: ROOT,
  });
  if (result.errors.length) throw new Error('the bare handler does not build');
  ctx.log(`bundles: bare handler with ${clients.join(', ') || 'no SDK client'}`);
  return { dir, file, bytes: (await stat(file)).size, clients };
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
