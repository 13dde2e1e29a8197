import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime } from '../support/local.ts';
import { report } from './report.ts';
import { freshForm, pool, referenceIn, signals, staffClients } from './support.ts';

const POSTS = Number(process.env.RELIABILITY_POSTS ?? 1000);
const CLIENTS = 50;

describe('concurrent form posts', () => {
  let t: Awaited<ReturnType<typeof startTestRuntime>>;
  beforeAll(async () => {
    t = await startTestRuntime({ sweepIntervalMs: 1000 });
  });
  afterAll(() => t.close());

  it(`stores ${POSTS} posts from ${CLIENTS} clients exactly once, resends included`, async () => {
    const clients = await staffClients(t.runtime, CLIENTS);
    const accepted: { reference: string; submissionId: string }[] = [];
    let resent = 0;
    const tasks = Array.from({ length: POSTS }, (_, i) => async () => {
      const { client } = clients[i % CLIENTS] as (typeof clients)[number];
      const form = await freshForm(client, `LOAD${i}`);
      // One client in ten loses its connection mid-post and sends the same post again.
      if (i % CLIENTS < CLIENTS / 10) {
        const abort = new AbortController();
        const dropped = client.request('/melden', { method: 'POST', form, signal: abort.signal });
        setTimeout(() => abort.abort(), 2);
        await dropped.then((r) => r.text()).catch(() => undefined);
        resent++;
      }
      const res = await client.request('/melden', { method: 'POST', form });
      const html = await res.text();
      if (res.status >= 200 && res.status < 300) {
        const reference = referenceIn(html);
        if (reference) accepted.push({ reference, submissionId: String(form.submission_id) });
      }
    });
    await pool(CLIENTS, tasks);

    const stored = await signals(t.runtime);
    const storedRefs = stored.map((s) => s.reference as string);
    const lost = accepted.filter((a) => !storedRefs.includes(a.reference)).length;
    // More stored signals than posts made means a resend was stored twice.
    const duplicated =
      Math.max(0, stored.length - POSTS) + (stored.length - new Set(storedRefs).size);
    const okAll =
      accepted.length === POSTS && stored.length === POSTS && lost === 0 && duplicated === 0;
    report(
      'concurrent form posts',
      `${POSTS} posts (${resent} resent after a dropped connection), ${accepted.length} answered 2xx, ${stored.length} stored, ${lost} lost, ${duplicated} duplicated, ${new Set(storedRefs).size} unique references`,
      okAll,
    );
    expect(accepted.length).toBe(POSTS);
    expect(stored.length).toBe(POSTS);
    expect(new Set(storedRefs).size).toBe(POSTS);
    expect(lost).toBe(0);
    // Every 2xx maps to exactly one stored signal.
    expect(new Set(accepted.map((a) => a.reference)).size).toBe(POSTS);
  });
});
