/**
 * HTTP throughput of GET /healthz on the local server against a bare
 * node:http server answering the same bytes (status, headers, body), both in
 * their own process, loaded by autocannon from this one over loopback.
 * Rounds alternate bare / app so a machine that slows down hits both.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { atLeast, failed, measured, type Row } from '../lib/harness.ts';
import { startServerProcess } from '../lib/server-process.ts';
import { type BenchContext, scratchDir, sleep } from '../lib/setup.ts';
import { mean } from '../lib/stats.ts';

export const HEALTHZ = 'HTTP throughput of GET /healthz on the local server';
const BUDGET = atLeast(0.8);
/** Headers node:http adds by itself; the rest is copied from the real answer. */
const PER_CONNECTION = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

const BARE_SERVER = `
import { createServer } from 'node:http';
const { status, headers, body } = JSON.parse(process.env.BARE_RESPONSE);
const bytes = Buffer.from(body, 'utf8');
const server = createServer((req, res) => {
  res.writeHead(status, headers);
  res.end(bytes);
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
`;

export async function healthzSuite(ctx: BenchContext): Promise<Row[]> {
  let bare: ChildProcess | undefined;
  const server = await startServerProcess({
    dataDir: await scratchDir(ctx, 'healthz-server'),
    configFile: ctx.configFile,
  }).catch((err: unknown) => err as Error);
  if (server instanceof Error) return [failed(HEALTHZ, BUDGET, server)];
  try {
    const url = `${server.url}/healthz`;
    const real = await fetch(url);
    const body = await real.text();
    if (real.status !== 200) throw new Error(`/healthz answered ${real.status}`);
    const headers = Object.fromEntries(
      [...real.headers].filter(([name]) => !PER_CONNECTION.has(name.toLowerCase())),
    );
    const started = await startBare({ status: real.status, headers, body });
    bare = started.child;
    const bareUrl = `http://127.0.0.1:${started.port}/healthz`;
    const check = await fetch(bareUrl);
    if ((await check.text()) !== body) throw new Error('the bare server answers other bytes');

    const rounds = ctx.quick ? 1 : 3;
    const seconds = ctx.quick ? 2 : 5;
    const app: number[] = [];
    const base: number[] = [];
    await load(url, 1);
    await load(bareUrl, 1);
    for (let i = 0; i < rounds; i++) {
      base.push(await load(bareUrl, seconds));
      app.push(await load(url, seconds));
    }
    return [
      measured({
        metric: HEALTHZ,
        unit: 'req/s',
        value: mean(app),
        baseline: { label: 'bare node:http, same bytes', value: mean(base) },
        budget: BUDGET,
        note: `autocannon, 10 connections, ${rounds} × ${seconds} s each, alternating; ${Buffer.byteLength(body)}-byte body, ${Object.keys(headers).length} headers`,
      }),
    ];
  } catch (err) {
    return [failed(HEALTHZ, BUDGET, err)];
  } finally {
    bare?.kill('SIGTERM');
    await server.stop();
  }
}

async function load(url: string, seconds: number): Promise<number> {
  const result = await autocannon({ url, connections: 10, pipelining: 1, duration: seconds });
  if (result.errors || result.non2xx) {
    throw new Error(`${url}: ${result.errors} errors, ${result.non2xx} non-2xx answers`);
  }
  return result.requests.average;
}

function startBare(response: {
  status: number;
  headers: Record<string, string>;
  body: string;
}): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', BARE_SERVER], {
    env: { ...process.env, BARE_RESPONSE: JSON.stringify(response) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('bare server did not start')), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = out.match(/listening (\d+)/);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bare server exited with ${code}`));
    });
  }).then(async (r) => {
    await sleep(50);
    return r as { child: ChildProcess; port: number };
  });
}
