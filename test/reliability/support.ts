import { documentClient } from '#adapters/dynamo/client.ts';
import type { LocalRuntime } from '#local/runtime.ts';
import { scanAll } from '../support/dynamo.ts';
import { Client, csrfFrom, signIn } from '../support/local.ts';

/** Raw items of the running stack's table. */
export async function rawItems(runtime: LocalRuntime) {
  const doc = documentClient({ endpoint: runtime.dynamo.endpoint });
  try {
    return await scanAll(doc, runtime.dynamo.table);
  } finally {
    doc.destroy();
  }
}

export async function signals(runtime: LocalRuntime) {
  return (await rawItems(runtime)).filter((i) => i.kind === 'signal');
}

export async function staffClients(runtime: LocalRuntime, n: number, prefix = 'medewerker') {
  const clients: { client: Client; email: string }[] = [];
  for (let i = 0; i < n; i++) {
    const email = `${prefix}${i}@montfoort.example`;
    const client = new Client(runtime.url);
    await signIn(runtime, client, email);
    clients.push({ client, email });
  }
  return clients;
}

/** A fresh, valid staff form with its own submission id. */
export async function freshForm(client: Client, marker: string) {
  const { html } = await client.page('/melden');
  const submissionId = html.match(/name="submission_id"[^>]*value="([^"]+)"/)?.[1];
  if (!submissionId) throw new Error('form has no submission_id');
  return {
    _csrf: csrfFrom(html),
    submission_id: submissionId,
    reporter_name: `Melder ${marker}`,
    discussed_with_coordinator: 'nee',
    observed: `Signaal ${marker}: een persoon woont op de werkplek en heeft geen paspoort.`,
    indicators: ['lives_at_work'],
    exploitation_form: 'labour',
  } as Record<string, string | string[]>;
}

export function referenceIn(html: string): string | undefined {
  return html.match(/MH-\d{4}-\d{4,}/)?.[0];
}

/** Runs `tasks` with at most `n` in flight. */
export async function pool<T>(n: number, tasks: Array<() => Promise<T>>): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < tasks.length) {
        const i = next++;
        out[i] = await (tasks[i] as () => Promise<T>)();
      }
    }),
  );
  return out;
}
