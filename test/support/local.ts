import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import { type LocalOptions, type LocalRuntime, startLocal } from '#local/runtime.ts';
import { memoryLogger } from './fakes.ts';

/** The real local stack (web app, dynalite in a temp dir, key file, file outbox) on a free port. */
export async function startTestRuntime(options: LocalOptions = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'meldroute-test-'));
  const logger = memoryLogger();
  const runtime = await startLocal({
    port: 0,
    dataDir,
    logger,
    sweepIntervalMs: 3_600_000,
    ...options,
  });
  // The port is only known after listening; links in emails must point at it.
  return {
    runtime,
    logger,
    dataDir,
    async close() {
      await runtime.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export type ParsedMail = {
  file: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  raw: string;
};

export async function outboxMessages(runtime: LocalRuntime): Promise<ParsedMail[]> {
  await runtime.sweepOutbox();
  let files: string[] = [];
  try {
    files = (await readdir(runtime.outboxDir)).filter((f) => f.endsWith('.eml')).sort();
  } catch {
    return [];
  }
  return Promise.all(
    files.map(async (file) => {
      const raw = await readFile(join(runtime.outboxDir, file), 'utf8');
      const m = await PostalMime.parse(raw);
      return {
        file,
        raw,
        to: (m.to ?? []).map((a) => ('address' in a && a.address ? a.address : '')),
        subject: m.subject ?? '',
        text: m.text ?? '',
        html: m.html ?? '',
      };
    }),
  );
}

/** A tiny browser: keeps cookies, sends same-origin headers like a real one would. */
export class Client {
  private cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  async request(
    path: string,
    init: RequestInit & { form?: Record<string, string | string[]> } = {},
  ) {
    const headers = new Headers(init.headers);
    if (this.cookies.size) {
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    }
    let body = init.body;
    if (init.form) {
      const p = new URLSearchParams();
      for (const [k, v] of Object.entries(init.form)) {
        for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
      }
      body = p;
      headers.set('content-type', 'application/x-www-form-urlencoded');
      if (!headers.has('origin')) headers.set('origin', new URL(this.base).origin);
    }
    const res = await fetch(this.base + path, { ...init, body, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [name, ...rest] = (pair ?? '').split('=');
      if (!name) continue;
      const value = rest.join('=');
      if (/max-age=0/i.test(c) || value === '') this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value);
    }
    return res;
  }

  async page(path: string) {
    const res = await this.request(path);
    return { res, html: await res.text() };
  }

  cookie(name: string) {
    return this.cookies.get(name);
  }
}

export function csrfFrom(html: string): string {
  const m =
    html.match(/name="_csrf"[^>]*value="([^"]+)"/) ??
    html.match(/value="([^"]+)"[^>]*name="_csrf"/);
  if (!m?.[1]) throw new Error('no _csrf field on the page');
  return m[1];
}

/** Signs in through the real path: request a link, read it from the outbox, confirm with POST. */
export async function signIn(runtime: LocalRuntime, client: Client, email: string) {
  const { html } = await client.page('/login');
  const before = new Set((await outboxMessages(runtime)).map((m) => m.file));
  const res = await client.request('/login', {
    method: 'POST',
    form: { email, _csrf: csrfFrom(html) },
  });
  if (res.status !== 200) throw new Error(`login request answered ${res.status}`);
  const mail = (await outboxMessages(runtime)).find(
    (m) => !before.has(m.file) && m.to.includes(email),
  );
  const link = mail?.text.match(/https?:\/\/\S+\/aanmelden\/([\w-]+)/);
  if (!link?.[1]) throw new Error(`no sign-in link mailed to ${email}`);
  const confirm = await client.request(`/aanmelden/${link[1]}`);
  if (confirm.status !== 200) throw new Error(`sign-in link answered ${confirm.status}`);
  const done = await client.request('/aanmelden/bevestigen', {
    method: 'POST',
    form: { token: link[1] },
  });
  if (done.status !== 303) throw new Error(`confirm answered ${done.status}`);
  return { token: link[1], location: done.headers.get('location') };
}
