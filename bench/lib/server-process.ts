import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalRuntime } from '#local/runtime.ts';
import { ROOT, sleep } from './setup.ts';

/**
 * `npm start` as a child process: package.json's start command (node, its
 * flags, the tsx loader and functions/local/main.ts) run directly rather than
 * through npm, so the process we sample is the server itself. Loopback only,
 * free ports, its own data directory.
 */
export type ServerProcess = {
  url: string;
  pid: number;
  dataDir: string;
  outboxDir: string;
  child: ChildProcess;
  stop(): Promise<void>;
};

export async function startServerProcess(options: {
  dataDir: string;
  configFile: string;
}): Promise<ServerProcess> {
  const child = spawn(process.execPath, await startArguments(), {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      SMTP_PORT: '0',
      SMTP_HOST: '127.0.0.1',
      DATA_DIR: options.dataDir,
      MELDROUTE_CONFIG: options.configFile,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    // Logs are read only to find the address and to explain a failed start.
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));

  const url = await new Promise<string>((resolve, reject) => {
    const last = () => output.trim().split('\n').slice(-3).join(' / ');
    const timer = setTimeout(
      () => reject(new Error(`server did not start in 60 s (${last()})`)),
      60_000,
    );
    const look = () => {
      // It prints its address as localhost; we load it on 127.0.0.1, where it listens.
      const m = output.match(/Health:\s+http:\/\/(?:localhost|127\.0\.0\.1):(\d+)\/healthz/);
      if (m?.[1]) {
        clearTimeout(timer);
        child.stdout?.off('data', look);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    };
    child.stdout?.on('data', look);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before it was ready (${last()})`));
    });
  });
  if (!child.pid) throw new Error('server has no pid');

  return {
    url,
    pid: child.pid,
    dataDir: options.dataDir,
    outboxDir: join(options.dataDir, 'outbox'),
    child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!done) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** The arguments of package.json's `start` script after `node`. */
export async function startArguments(): Promise<string[]> {
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const [command, ...args] = pkg.scripts.start.trim().split(/\s+/);
  if (command !== 'node') throw new Error(`npm start is not a node command: ${pkg.scripts.start}`);
  return args;
}

export async function countMails(outboxDir: string): Promise<number> {
  try {
    return (await readdir(outboxDir)).filter((f) => f.endsWith('.eml')).length;
  } catch {
    return 0;
  }
}

/** Waits until the outbox holds at least `n` mails; false on timeout. */
export async function waitForMails(outboxDir: string, n: number, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while ((await countMails(outboxDir)) < n) {
    if (Date.now() > deadline) return false;
    await sleep(2);
  }
  return true;
}

/**
 * What test/support's `signIn` needs of a runtime, for a server in another
 * process: its outbox folder, and a "sweep" that waits for the sign-in mail
 * (the server sweeps right after the write; we only wait for the file).
 */
export function runtimeOf(server: ServerProcess): LocalRuntime {
  let seen = -1;
  const shim = {
    url: server.url,
    outboxDir: server.outboxDir,
    async sweepOutbox() {
      const deadline = Date.now() + 5_000;
      let n = await countMails(server.outboxDir);
      while (seen >= 0 && n <= seen && Date.now() < deadline) {
        await sleep(10);
        n = await countMails(server.outboxDir);
      }
      seen = n;
    },
  };
  // signIn only touches url, outboxDir and sweepOutbox.
  return shim as unknown as LocalRuntime;
}

export type Rss = { rssKiB: number; peakKiB: number };

/** Resident set size now and its high-water mark, from /proc (Linux). */
export async function readRss(pid: number): Promise<Rss> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) =>
    Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'))?.[1]);
  return { rssKiB: kib('VmRSS'), peakKiB: kib('VmHWM') };
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0); false when not allowed. */
export async function resetPeakRss(pid: number): Promise<boolean> {
  try {
    await writeFile(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
