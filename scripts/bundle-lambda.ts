/**
 * Builds one Lambda asset with infra/bundle.ts: the handler, its config and
 * its run-time files. CDK's bundling hook is synchronous and esbuild plugins
 * only run in esbuild's asynchronous API, so infra/constructs/function.ts
 * runs this in a child process (`node --import tsx`) and waits for it.
 *
 * Usage: node --import tsx scripts/bundle-lambda.ts < request.json
 *   request: { entry, outdir, assets?: ('templates' | 'stylesheet')[], configBase64 }
 */
import { text } from 'node:stream/consumers';
import * as z from 'zod/mini';
import { buildLambda } from '../infra/bundle.ts';

const Request = z.object({
  entry: z.string().check(z.minLength(1)),
  outdir: z.string().check(z.minLength(1)),
  assets: z._default(z.array(z.enum(['templates', 'stylesheet'])), []),
  configBase64: z.string(),
});

const request = Request.parse(JSON.parse(await text(process.stdin)));
await buildLambda({
  entry: request.entry,
  outdir: request.outdir,
  assets: request.assets,
  configJson: Buffer.from(request.configBase64, 'base64').toString('utf8'),
});
