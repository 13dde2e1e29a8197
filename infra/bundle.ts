import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';

/**
 * The one esbuild build of a Meldroute Lambda (ADR 0010). The CDK asset
 * (infra/constructs/function.ts, through scripts/bundle-lambda.ts) and the
 * bundle benchmark (bench/suites/lambda-bundles.ts) both call `buildLambda`,
 * so what is measured is what is deployed. Loads esbuild, never aws-cdk-lib:
 * CDK's synchronous bundling hook runs this in a child process, because
 * esbuild plugins only run in the asynchronous API.
 */

export const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The module Lambda loads (`index.handler`); lazily imported code sits next to it as chunk-*.mjs. */
export const LAMBDA_ENTRY_FILE = 'index.mjs';
/** Lambda's handler setting: the `handler` export of index.mjs. */
export const LAMBDA_HANDLER = 'index.handler';

/** Relative to the bundle directory, i.e. /var/task on Lambda. */
export const BUNDLED_CONFIG = 'config.json';

/** Files a handler reads at run time next to its bundle (relative to import.meta.url). */
export type BundledAsset =
  /** templates/compiled/*.html and templates/*.txt, read by templates/render.ts. */
  | 'templates'
  /** forms/static/meldroute.css, read by forms/app.tsx at import. */
  | 'stylesheet';

/** Bundled CommonJS dependencies call require() for Node built-ins; ESM has no require. */
const REQUIRE_BANNER =
  "import { createRequire as __meldrouteRequire } from 'node:module'; const require = __meldrouteRequire(import.meta.url);";

/**
 * zod's classic entry re-exports every locale (`export * as locales`), about
 * 260 KiB minified of which we use one: the default English messages, which
 * config errors and logs show. The people using Meldroute see our own Dutch
 * texts, never a zod message. Every other locale becomes a function that
 * throws, naming this file, so a future `z.config(z.locales.nl())` fails
 * loudly instead of importing undefined.
 */
export const zodEnglishOnly: Plugin = {
  name: 'meldroute-zod-english-only',
  setup(b) {
    b.onLoad(
      { filter: /[\\/]node_modules[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ },
      async (args) => {
        const index = await readFile(args.path, 'utf8');
        const exports = [
          ...index.matchAll(/export \{ default as (\w+) \} from "\.\/([\w-]+)\.js";/g),
        ];
        const english = exports.filter(([, , file]) => file === 'en').map(([, name]) => name);
        if (!english.includes('en') || exports.length < 2) {
          throw new Error(
            `${args.path} no longer looks as infra/bundle.ts expects: check zod's locales`,
          );
        }
        const lines = english.map((name) => `export { default as ${name} } from "./en.js";`);
        lines.push(
          'const notBundled = (name) => () => { throw new Error("zod locale " + name + " is not in the Lambda bundle (infra/bundle.ts)"); };',
        );
        for (const [, name, file] of exports) {
          if (file !== 'en')
            lines.push(`export const ${name} = notBundled(${JSON.stringify(name)});`);
        }
        return { contents: lines.join('\n'), loader: 'js', resolveDir: dirname(args.path) };
      },
    );
  },
};

/**
 * @aws-crypto/client-node ships only CommonJS: an index that re-exports eight
 * packages (`__exportStar(require(...))`) plus `buildClient`. Through that
 * index esbuild cannot drop anything, so every handler carried the
 * hierarchical keyring with its branch key store (and a DynamoDB client
 * config), the caching materials manager and the raw RSA keyring, none of
 * which Meldroute uses. Those eight packages ship ES modules and declare
 * `sideEffects: false`; this plugin loads the same index as an ES module,
 * generated from the CommonJS one, so only what is imported stays. A new
 * client-node whose index looks different stops the build.
 */
export const encryptionSdkAsEsm: Plugin = {
  name: 'meldroute-encryption-sdk-esm',
  setup(b) {
    b.onLoad(
      {
        filter:
          /[\\/]node_modules[\\/]@aws-crypto[\\/]client-node[\\/]build[\\/]main[\\/]src[\\/]index\.js$/,
      },
      async (args) => {
        const cjs = await readFile(args.path, 'utf8');
        const reexported = [
          ...cjs.matchAll(/__exportStar\(require\("(@aws-crypto\/[\w-]+)"\), exports\);/g),
        ].map(([, pkg]) => pkg as string);
        const own = [...cjs.matchAll(/^exports\.(\w+) = /gm)].map(([, name]) => name);
        const expected =
          reexported.includes('@aws-crypto/encrypt-node') &&
          reexported.includes('@aws-crypto/decrypt-node') &&
          own.length === 2 &&
          own.every((name) => name === 'buildClient') &&
          /function buildClient\(options\) \{\s*return \{\s*\.\.\.\(0, encrypt_node_1\.buildEncrypt\)\(options\),\s*\.\.\.\(0, decrypt_node_1\.buildDecrypt\)\(options\),\s*\};\s*\}/.test(
            cjs,
          );
        if (!expected) {
          throw new Error(
            `${args.path} no longer looks as infra/bundle.ts expects: check the Encryption SDK`,
          );
        }
        const contents = [
          ...reexported.map((pkg) => `export * from ${JSON.stringify(pkg)};`),
          "import { buildEncrypt } from '@aws-crypto/encrypt-node';",
          "import { buildDecrypt } from '@aws-crypto/decrypt-node';",
          'export function buildClient(options) { return { ...buildEncrypt(options), ...buildDecrypt(options) }; }',
        ].join('\n');
        return { contents, loader: 'js', resolveDir: dirname(args.path) };
      },
    );
  },
};

/** Shared by every handler and by the benchmark's bare handler. */
export function lambdaBuildOptions(): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    // Linked, without sources content; the function sets NODE_OPTIONS=--enable-source-maps.
    sourcemap: 'linked',
    sourcesContent: false,
    // Code behind `await import()` goes into chunks next to index.mjs, loaded when first used.
    splitting: true,
    outExtension: { '.js': '.mjs' },
    entryNames: 'index',
    chunkNames: 'chunk-[hash]',
    mainFields: ['module', 'main'],
    // Bundle the AWS SDK too: the versions we test are the versions we run (ADR 0010).
    external: [],
    banner: { js: REQUIRE_BANNER },
    tsconfig: join(PROJECT_ROOT, 'tsconfig.json'),
    absWorkingDir: PROJECT_ROOT,
    logLevel: 'warning',
    metafile: true,
    plugins: [zodEnglishOnly, encryptionSdkAsEsm],
  };
}

export type LambdaBuild = {
  /** A handler file (absolute), or a module's source (the benchmark's bare handler). */
  entry: string | { contents: string };
  /** Created, or emptied first. */
  outdir: string;
  /** The municipality config, written as config.json. */
  configJson?: string;
  assets?: readonly BundledAsset[];
  logLevel?: BuildOptions['logLevel'];
};

export type LambdaBundle = {
  metafile: Metafile;
  /** index.mjs and the chunks it imports statically: what a cold start loads. */
  initBytes: number;
  /** Every .mjs file, lazily loaded chunks included. */
  totalBytes: number;
  /** The source files (metafile inputs, relative to the project) in what a cold start loads. */
  initInputs: Set<string>;
};

/** Bundles one handler into `outdir` with its config and run-time files, as Lambda receives it. */
export async function buildLambda(options: LambdaBuild): Promise<LambdaBundle> {
  const { outdir } = options;
  await mkdir(outdir, { recursive: true });
  for (const f of await readdir(outdir))
    await rm(join(outdir, f), { recursive: true, force: true });
  const base = lambdaBuildOptions();
  const result = await build({
    ...base,
    ...(typeof options.entry === 'string'
      ? { entryPoints: { index: options.entry } }
      : {
          stdin: {
            contents: options.entry.contents,
            resolveDir: PROJECT_ROOT,
            loader: 'ts',
            sourcefile: 'index.ts',
          },
        }),
    outdir,
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
  });
  if (result.errors.length) throw new Error(`esbuild failed for ${describe(options.entry)}`);
  await copyAssets(outdir, options.assets ?? []);
  if (options.configJson !== undefined) {
    await writeFile(join(outdir, BUNDLED_CONFIG), options.configJson);
  }
  const metafile = result.metafile as Metafile;
  return { metafile, ...(await measure(metafile)) };
}

const describe = (entry: LambdaBuild['entry']) =>
  typeof entry === 'string' ? relative(PROJECT_ROOT, entry) : 'an inline module';

async function copyAssets(outdir: string, assets: readonly BundledAsset[]): Promise<void> {
  if (assets.includes('templates')) {
    const templates = join(PROJECT_ROOT, 'templates');
    await mkdir(join(outdir, 'compiled'), { recursive: true });
    for (const f of await readdir(join(templates, 'compiled'))) {
      if (f.endsWith('.html'))
        await copyFile(join(templates, 'compiled', f), join(outdir, 'compiled', f));
    }
    for (const f of await readdir(templates)) {
      if (f.endsWith('.txt')) await copyFile(join(templates, f), join(outdir, f));
    }
  }
  if (assets.includes('stylesheet')) {
    await mkdir(join(outdir, 'static'), { recursive: true });
    await copyFile(
      join(PROJECT_ROOT, 'forms', 'static', 'meldroute.css'),
      join(outdir, 'static', 'meldroute.css'),
    );
  }
}

/** Sizes from the files written; the metafile says which chunks index.mjs imports statically. */
async function measure(metafile: Metafile) {
  const init = initOutputs(metafile);
  let initBytes = 0;
  let totalBytes = 0;
  for (const file of Object.keys(metafile.outputs)) {
    if (!file.endsWith('.mjs')) continue;
    const bytes = (await stat(join(PROJECT_ROOT, file))).size;
    totalBytes += bytes;
    if (init.has(file)) initBytes += bytes;
  }
  return { initBytes, totalBytes, initInputs: initInputs(metafile) };
}

/** The output files a cold start loads: index.mjs and the chunks it imports statically. */
function initOutputs(metafile: Metafile): Set<string> {
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((f) => f.split('/').at(-1) === LAMBDA_ENTRY_FILE);
  const init = new Set<string>();
  const pending = entry ? [entry] : [];
  while (pending.length) {
    const file = pending.pop() as string;
    if (init.has(file)) continue;
    init.add(file);
    for (const i of outputs[file]?.imports ?? []) {
      if (i.kind === 'import-statement' && !i.external) pending.push(i.path);
    }
  }
  return init;
}

/** The source files (metafile inputs) whose code a cold start loads. */
function initInputs(metafile: Metafile): Set<string> {
  const inputs = new Set<string>();
  for (const file of initOutputs(metafile)) {
    for (const [input, { bytesInOutput }] of Object.entries(metafile.outputs[file]?.inputs ?? {}))
      if (bytesInOutput > 0) inputs.add(input);
  }
  return inputs;
}
