/**
 * Rows 2 and 3 of the issue: the officer's inbox list page, and the "already
 * known" lookup on the detail page, with many stored signals against few
 * (full: 100,000 vs 1,000; quick: 10,000 vs 1,000).
 *
 * Both data directories are seeded once (bench/seed.ts) and reused. Each run
 * starts the real local stack on each, signs in an officer through the real
 * path (email link, then a fresh authenticator: the admin command resets the
 * second factor a previous run set up), and alternates requests between the
 * two so machine noise falls on both.
 */
import { runAdmin } from '#local/admin.ts';
import { Client, csrfFrom, signIn, startTestRuntime } from '../../test/support/local.ts';
import { fakeSignal, meldenFormBody, rng, submissionId } from '../lib/dutch.ts';
import { atMost, failed, measured, type Row } from '../lib/harness.ts';
import type { BenchContext } from '../lib/setup.ts';
import { median } from '../lib/stats.ts';
import { ensureSeeded, type Seeded } from '../seed.ts';

export const INBOX = 'officer inbox list page (p50)';
export const KNOWN = '"already known" lookup on the detail page (p50)';
const INBOX_BUDGET = atMost(1.5);
const KNOWN_BUDGET = atMost(1.5);
/** New signals viewed in turn, so no one signal's audit trail grows long. */
const PROBES = 8;

export async function inboxSuite(ctx: BenchContext): Promise<Row[]> {
  const large = ctx.quick ? 10_000 : 100_000;
  const small = 1_000;
  try {
    const seeded = [await ensureSeeded(ctx, small), await ensureSeeded(ctx, large)] as const;
    return await measure(ctx, seeded);
  } catch (err) {
    return [
      failed(
        INBOX.replace('(p50)', `with ${large.toLocaleString('en-US')} signals (p50)`),
        INBOX_BUDGET,
        err,
      ),
      failed(KNOWN, KNOWN_BUDGET, err),
    ];
  }
}

type Side = {
  seeded: Seeded;
  close(): Promise<void>;
  officer: Client;
  probes: string[];
};

async function open(ctx: BenchContext, seeded: Seeded, run: number): Promise<Side> {
  const quiet = () => undefined;
  const reset = await runAdmin(['reset-2fa', ctx.officer], {
    dataDir: seeded.dir,
    operator: 'bench',
    out: quiet,
    err: (line) => ctx.log(line),
  });
  if (reset !== 0) throw new Error(`could not reset the officer's second factor in ${seeded.dir}`);
  const t = await startTestRuntime({
    dataDir: seeded.dir,
    configFile: ctx.configFile,
    sweepIntervalMs: 3_600_000,
  });
  try {
    const officer = new Client(t.runtime.url);
    await signIn(t.runtime, officer, ctx.officer);
    const staff = new Client(t.runtime.url);
    await signIn(t.runtime, staff, ctx.staff);

    // The same new signals on both sides: the same people, addresses and businesses.
    const r = rng(run);
    const csrf = csrfFrom((await staff.page('/melden')).html);
    for (let i = 0; i < PROBES; i++) {
      const res = await staff.request('/melden', {
        method: 'POST',
        form: meldenFormBody(probeSignal(ctx, run, i), {
          csrf,
          submissionId: `${submissionId(r, i)}-${run.toString(36)}`,
        }),
      });
      if (res.status !== 200) throw new Error(`probe signal answered ${res.status}`);
      await res.text();
    }
    await t.runtime.sweepOutbox();
    // Newest first: the probes head the inbox (seeded signals are older than today).
    const inbox = (await officer.page('/inbox')).html;
    const probes = [...inbox.matchAll(/href="\/inbox\/([a-z0-9]{10,40})"/g)]
      .map((m) => m[1] as string)
      .filter((id, i, all) => all.indexOf(id) === i)
      .slice(0, PROBES);
    if (probes.length < PROBES) throw new Error('the new signals are not at the top of the inbox');
    return { seeded, close: t.close, officer, probes };
  } catch (err) {
    await t.close();
    throw err;
  }
}

/** Content fixed by run and index, so both data sets get identical new signals. */
function probeSignal(ctx: BenchContext, run: number, i: number) {
  return fakeSignal(rng(run * 16 + i), ctx.config.teams);
}

async function measure(ctx: BenchContext, seeded: readonly [Seeded, Seeded]): Promise<Row[]> {
  const iterations = ctx.quick ? 60 : 300;
  const warmup = ctx.quick ? 10 : 30;
  const sides: Side[] = [];
  try {
    // New content every run (earlier runs' probes stay in the seeded data), the same on both sides.
    const run = Date.now() % 1_000_000_000;
    for (const s of seeded) sides.push(await open(ctx, s, run));
    const [small, large] = sides as [Side, Side];

    const list = async (side: Side) => {
      const t0 = performance.now();
      const res = await side.officer.request('/inbox');
      const html = await res.text();
      const ms = performance.now() - t0;
      if (res.status !== 200 || !html.includes('/inbox/'))
        throw new Error(`inbox answered ${res.status}`);
      return ms;
    };
    const detail = async (side: Side, i: number) => {
      const id = side.probes[i % side.probes.length];
      const t0 = performance.now();
      const res = await side.officer.request(`/inbox/${id}`);
      const html = await res.text();
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`detail page answered ${res.status}`);
      return { ms, matches: html.split('): zelfde').length - 1 };
    };

    const times = { list: [[], []] as number[][], detail: [[], []] as number[][] };
    const matches = [0, 0];
    for (let i = 0; i < warmup + iterations; i++) {
      // Alternate which side goes first, so neither always follows the other.
      const order = i % 2 ? [0, 1] : [1, 0];
      for (const k of order) {
        const side = sides[k] as Side;
        const l = await list(side);
        const d = await detail(side, i);
        if (i >= warmup) {
          times.list[k]?.push(l);
          times.detail[k]?.push(d.ms);
          matches[k] = Math.max(matches[k] ?? 0, d.matches);
        }
      }
    }
    const n = (s: Side) => s.seeded.count.toLocaleString('en-US');
    return [
      measured({
        metric: `officer inbox list page with ${n(large)} signals (p50)`,
        unit: 'ms',
        value: median(times.list[1] ?? []),
        baseline: { label: `${n(small)} signals`, value: median(times.list[0] ?? []) },
        budget: INBOX_BUDGET,
        note: `${iterations} requests each after ${warmup} warm-up, 25 rows a page, alternating`,
      }),
      measured({
        metric: `"already known" lookup on the detail page with ${n(large)} signals (p50)`,
        unit: 'ms',
        value: median(times.detail[1] ?? []),
        baseline: { label: `${n(small)} signals`, value: median(times.detail[0] ?? []) },
        budget: KNOWN_BUDGET,
        note: `whole detail page of ${PROBES} new signals in turn; earlier signals listed: up to ${matches[1]} (large) and ${matches[0]} (small)`,
      }),
    ];
  } finally {
    for (const s of sides) await s.close();
  }
}
