import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Config, parseConfig } from '#core/config.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Seeded data lives here between runs (gitignored with the rest of var/). */
export const BENCH_VAR = join(ROOT, 'var', 'bench');

export type Mode = 'full' | 'quick';

export type BenchContext = {
  mode: Mode;
  quick: boolean;
  /** The municipality config every suite runs with (a file, as `npm start` reads it). */
  configFile: string;
  config: Config;
  staff: string;
  officer: string;
  /** A scratch directory removed after the run. */
  scratch: string;
  log(message: string): void;
};

/**
 * The example municipality, with a sign-in limit that repeated bench runs do
 * not exhaust (every run signs in again, and seeded data dirs keep their
 * rate-limit counters for 15 minutes).
 */
export async function benchContext(mode: Mode, log: (m: string) => void): Promise<BenchContext> {
  const scratch = await mkdtemp(join(tmpdir(), 'meldroute-bench-'));
  const example = JSON.parse(await readFile(join(ROOT, 'config/montfoort.example.json'), 'utf8'));
  const raw = {
    ...example,
    signIn: { ...(example.signIn ?? {}), requestsPerWindow: 100 },
  };
  const configFile = join(scratch, 'config.json');
  await writeFile(configFile, JSON.stringify(raw, null, 2));
  const config = parseConfig(raw, configFile);
  const officer = config.officers[0];
  const domain = config.staffDomains[0];
  if (!officer || !domain) throw new Error('the bench config needs an officer and a staff domain');
  return {
    mode,
    quick: mode === 'quick',
    configFile,
    config,
    staff: `medewerker@${domain}`,
    officer,
    scratch,
    log,
  };
}

export async function scratchDir(ctx: BenchContext, name: string): Promise<string> {
  const dir = join(ctx.scratch, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return dir;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Silences the AWS SDK's Node 20 notice in this process and every child. */
export function quietAwsSdk(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}
