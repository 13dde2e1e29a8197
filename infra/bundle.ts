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

/** Where the plugin below puts its module; the metafile names it `meldroute-node-stream:readable-stream`. */
const NODE_STREAM_NAMESPACE = 'meldroute-node-stream';
/** readable-stream v3's readable.js: the branch taken when READABLE_STREAM=disable. */
const READABLE_STREAM_DISABLE_BRANCH =
  /var Stream = require\('stream'\);\s*if \(process\.env\.READABLE_STREAM === 'disable' && Stream\) \{\s*module\.exports = Stream\.Readable;\s*Object\.assign\(module\.exports, Stream\);\s*module\.exports\.Stream = Stream;\s*\}/;
/** readable-stream v3's pipeline: the callback may be left out (errors are then thrown). */
const READABLE_STREAM_OPTIONAL_CALLBACK =
  /function popCallback\(streams\) \{\s*if \(!streams\.length\) return noop;\s*if \(typeof streams\[streams\.length - 1\] !== 'function'\) return noop;\s*return streams\.pop\(\);\s*\}/;
/** The packages whose use of readable-stream the module below was checked against. */
const READABLE_STREAM_IMPORTERS =
  /[\\/]node_modules[\\/](?:@aws-crypto[\\/](?:encrypt|decrypt)-node|duplexify)[\\/]/;
/**
 * readable-stream v3's exports, from Node's stream module. Not the
 * READABLE_STREAM=disable branch verbatim, for two reasons found by running
 * the bundles: that branch assigns Stream's members onto Node's own
 * Readable class, which throws in a bundle (ES modules are strict, and
 * Readable inherits Stream's getter-only `promises`) and would change that
 * class for every module in the process; and it hands out Node's pipeline,
 * which requires a callback where v3's may be left out, as encrypt-node's
 * encrypt_stream does (every encrypt failed). So: a fresh object with v3's
 * members, and v3's pipeline contract (no callback: an error is thrown) on
 * top of Node's pipeline.
 */
const NODE_STREAM_AS_READABLE_STREAM = `var Stream = require('node:stream');
function noop(err) { if (err) throw err; }
function pipeline() {
  var streams = Array.prototype.slice.call(arguments);
  var callback = typeof streams[streams.length - 1] === 'function' ? streams.pop() : noop;
  return Stream.pipeline.apply(null, streams.concat([callback]));
}
module.exports = {
  Stream: Stream,
  Readable: Stream.Readable,
  Writable: Stream.Writable,
  Duplex: Stream.Duplex,
  Transform: Stream.Transform,
  PassThrough: Stream.PassThrough,
  finished: Stream.finished,
  pipeline: pipeline,
};`;

/**
 * The Encryption SDK's stream code (@aws-crypto/encrypt-node, decrypt-node,
 * and duplexify under them) imports readable-stream v3, a copy of Node 10's
 * stream module: about 37 KiB minified (41 with its string_decoder) in every
 * handler, next to the stream module Node already has. readable-stream v3
 * itself can hand out Node's module instead (READABLE_STREAM=disable in its
 * readable.js); this plugin resolves `readable-stream` to a small module
 * doing that (NODE_STREAM_AS_READABLE_STREAM above says how it differs), so
 * `import { Transform } from 'readable-stream'` gets Node's Transform.
 * It stops the build when the package no longer looks as checked: a
 * readable-stream that is not v3, a readable.js without that branch, a
 * pipeline whose callback is not optional, a subpath import
 * (`readable-stream/transform`: nothing bundled has one), or an importer
 * other than those three packages. test/integration/lambda-bundles.test.ts
 * runs the bundled Encryption SDK (many frames, damaged and old signed
 * messages) and checks that no readable-stream file is in any bundle.
 */
export const readableStreamAsNodeStream: Plugin = {
  name: 'meldroute-readable-stream-as-node-stream',
  setup(b) {
    const skip = Symbol('meldroute-readable-stream');
    const checked = new Map<string, Promise<void>>();
    const check = async (readableJs: string) => {
      const unexpected = (what: string) =>
        new Error(
          `${readableJs} no longer looks as infra/bundle.ts expects (${what}): check readable-stream`,
        );
      if (!/[\\/]node_modules[\\/]readable-stream[\\/]readable\.js$/.test(readableJs)) {
        throw unexpected('not readable-stream/readable.js');
      }
      const dir = dirname(readableJs);
      const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as {
        version?: string;
      };
      if (!pkg.version?.startsWith('3.')) throw unexpected(`version ${pkg.version}, not 3.x`);
      if (!READABLE_STREAM_DISABLE_BRANCH.test(await readFile(readableJs, 'utf8'))) {
        throw unexpected('no READABLE_STREAM=disable branch');
      }
      const pipeline = join(dir, 'lib', 'internal', 'streams', 'pipeline.js');
      if (!READABLE_STREAM_OPTIONAL_CALLBACK.test(await readFile(pipeline, 'utf8'))) {
        throw unexpected('pipeline without its optional callback');
      }
    };
    b.onResolve({ filter: /^readable-stream(?:[\\/]|$)/ }, async (args) => {
      if (args.pluginData?.[skip]) return undefined;
      const refuse = (why: string) => ({
        errors: [{ text: `${args.importer} imports ${args.path}: ${why} (infra/bundle.ts)` }],
      });
      if (args.path !== 'readable-stream') {
        return refuse("only the bare 'readable-stream' is mapped to Node's stream module");
      }
      if (!READABLE_STREAM_IMPORTERS.test(args.importer)) {
        return refuse(
          "Node's stream module stands in for readable-stream only for the Encryption SDK and duplexify; check this importer's use of it first",
        );
      }
      // The package the importer would get, each copy checked once per build.
      const real = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: { [skip]: true },
      });
      if (real.errors.length) return { errors: real.errors };
      if (!checked.has(real.path)) checked.set(real.path, check(real.path));
      await checked.get(real.path);
      return { path: 'readable-stream', namespace: NODE_STREAM_NAMESPACE };
    });
    b.onLoad({ filter: /.*/, namespace: NODE_STREAM_NAMESPACE }, () => ({
      contents: NODE_STREAM_AS_READABLE_STREAM,
      loader: 'js',
    }));
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
    plugins: [encryptionSdkAsEsm, readableStreamAsNodeStream],
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
