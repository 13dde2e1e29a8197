import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { documentClient } from '#adapters/dynamo/client.ts';
import type { LocalRuntime } from '#local/runtime.ts';
import { scanAll } from '../support/dynamo.ts';
import {
  Client,
  outboxMessages,
  type ParsedMail,
  signIn,
  startTestRuntime,
} from '../support/local.ts';
import { report } from './report.ts';
import { freshForm } from './support.ts';

/**
 * Crash between steps: the local stack runs in a child process
 * (crash-child.ts) that SIGKILLs itself at a named step boundary. After each
 * kill it is started again on the same data directory; at the end a clean
 * start recovers, and the state is compared with a run without crashes.
 */
const KILLS = Number(process.env.RELIABILITY_CRASH_KILLS ?? 2);
const BOUNDARIES: { path: 'mail' | 'form'; step: string }[] = [
  { path: 'mail', step: 'raw-stored' },
  { path: 'mail', step: 'parsed' },
  { path: 'mail', step: 'stored' },
  { path: 'mail', step: 'marked' },
  { path: 'mail', step: 'sending' },
  { path: 'mail', step: 'sent' },
  { path: 'form', step: 'stored' },
  { path: 'form', step: 'sending' },
  { path: 'form', step: 'sent' },
];
const STAFF = 'crash-medewerker@montfoort.example';
const MAILBOX = 'meldpunt-mensenhandel@montfoort.example';

/** A free port below the ephemeral range, so no outgoing connection borrows it between lives. */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

type Life = {
  proc: ChildProcess;
  crashed: Promise<string | undefined>;
  exited: Promise<void>;
  ready: { url: string; smtpPort: number; endpoint: string; table: string };
};

async function startLife(env: Record<string, string>): Promise<Life> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/reliability/crash-child.ts'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const crashed = new Promise<string | undefined>((r) => {
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = out.match(/CRASH (\S+)/);
      if (m) r(m[1]);
    });
    void exited.then(() => r(out.match(/CRASH (\S+)/)?.[1]));
  });
  const ready = await new Promise<Life['ready']>((resolve, reject) => {
    const check = () => {
      const m = out.match(/READY (\{.*\})/);
      if (m?.[1]) resolve(JSON.parse(m[1]));
    };
    proc.stdout?.on('data', check);
    void exited.then(() => reject(new Error(`child exited before ready: ${err.slice(-2000)}`)));
  });
  return { proc, crashed, exited, ready };
}

async function stop(life: Life) {
  if (life.proc.exitCode === null && life.proc.signalCode === null) life.proc.kill('SIGKILL');
  await life.exited;
}

const rawMail = (i: number) =>
  [
    `From: Melder ${i} <crash-melder${i}@montfoort.example>`,
    `To: ${MAILBOX}`,
    `Subject: Signaal ${i}`,
    `Message-ID: <crash-${i}@montfoort.example>`,
    'Date: Mon, 02 Mar 2026 09:00:00 +0100',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Signaal CRASH${i}: arbeiders slapen in de loods.`,
    '',
  ].join('\r\n');

async function sendMail(smtpPort: number, i: number): Promise<boolean> {
  const tr = nodemailer.createTransport({
    host: '127.0.0.1',
    port: smtpPort,
    secure: false,
    ignoreTLS: true,
    connectionTimeout: 3000,
    socketTimeout: 5000,
  });
  try {
    const info = await tr.sendMail({
      envelope: { from: `crash-melder${i}@montfoort.example`, to: [MAILBOX] },
      raw: rawMail(i),
    });
    return /^250 /.test(info.response);
  } catch {
    return false; // the sender's server keeps it and tries again later
  } finally {
    tr.close();
  }
}

/** Blob keys under a prefix directory, without the temp files of unfinished puts. */
async function blobNames(dataDir: string, dir: string): Promise<string[]> {
  const names = await readdir(join(dataDir, 'blobs', dir)).catch(() => [] as string[]);
  return names.filter((n) => !n.startsWith('.'));
}

/** What a signal's mails look like, without references and addresses that differ per run. */
function shapes(mails: ParsedMail[]) {
  const per = new Map<string, string[]>();
  for (const m of mails) {
    const ref = (m.subject.match(/MH-\d{4}-\d+/) ?? m.text.match(/MH-\d{4}-\d+/))?.[0];
    if (!ref) continue;
    const to = m.to.map((a) => a.replace(/^crash-melder\d+@/, 'SENDER@')).join(',');
    const list = per.get(ref) ?? [];
    list.push(`${to} | ${m.subject.replace(ref, 'REF')}`);
    per.set(ref, list);
  }
  for (const l of per.values()) l.sort();
  return per;
}

/** The same one-form, one-mail workload in-process without any crash. */
async function referenceShapes() {
  const t = await startTestRuntime({ sweepIntervalMs: 300 });
  try {
    const client = new Client(t.runtime.url);
    await signIn(t.runtime, client, STAFF);
    const res = await client.request('/melden', {
      method: 'POST',
      form: await freshForm(client, 'REF'),
    });
    const formRef = (await res.text()).match(/MH-\d{4}-\d+/)?.[0];
    await sendMail(t.runtime.smtp.port, 0);
    await t.runtime.smtp.idle();
    const per = shapes(await outboxMessages(t.runtime));
    const mailRef = [...per.keys()].find((r) => r !== formRef);
    return {
      form: JSON.stringify(per.get(formRef ?? '')),
      mail: JSON.stringify(per.get(mailRef ?? '')),
    };
  } finally {
    await t.close();
  }
}

describe('crash between steps', () => {
  let dataDir = '';
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('recovers from a kill at every step boundary with nothing lost and nothing sent twice', async () => {
    const expected = await referenceShapes();
    dataDir = await mkdtemp(join(tmpdir(), 'meldroute-crash-'));
    const env = {
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      SMTP_PORT: String(await freePort()),
    };
    // Life 0, no fault: a staff member signs in (the session lives in the table).
    let life = await startLife(env);
    const client = new Client(life.ready.url);
    const fakeRuntime = {
      outboxDir: join(dataDir, 'outbox'),
      sweepOutbox: () => new Promise<void>((r) => setTimeout(r, 400)),
    } as unknown as LocalRuntime;
    await signIn(fakeRuntime, client, STAFF);
    await stop(life);

    let nextMail = 1;
    let formsMade = 0;
    const pendingMails: number[] = [];
    const pendingForms: Record<string, string | string[]>[] = [];
    const kills = new Map<string, { atBoundary: number; lives: number }>();
    const started = Date.now();

    const resend = async (smtpPort: number) => {
      for (const i of pendingMails.splice(0)) {
        if (!(await sendMail(smtpPort, i))) pendingMails.push(i);
      }
      for (const form of pendingForms.splice(0)) {
        const ok = await client
          .request('/melden', { method: 'POST', form })
          .then(async (r) => (await r.text()) && r.status === 200)
          .catch(() => false);
        if (!ok) pendingForms.push(form);
      }
    };

    for (const [n, b] of BOUNDARIES.entries()) {
      if (n > 0 && b.path !== BOUNDARIES[n - 1]?.path) {
        // Between the mail and the form phase one clean life lets recovery finish, so the
        // form phase's kills hit form posts rather than the mail phase's leftovers.
        life = await startLife(env);
        await resend(life.ready.smtpPort);
        for (let w = 0; w < 40; w++) {
          const raw = await blobNames(dataDir, 'raw');
          const done = await blobNames(dataDir, 'processed');
          if (raw.every((r) => done.includes(r))) break;
          await new Promise((r) => setTimeout(r, 250));
        }
        await new Promise((r) => setTimeout(r, 1500)); // the outbox sweep and its retry
        await stop(life);
      }
      const key = `${b.path} ${b.step}`;
      const tally = { atBoundary: 0, lives: 0 };
      kills.set(key, tally);
      for (let k = 0; k < KILLS; k++) {
        life = await startLife({ ...env, CRASH_AT: b.step });
        tally.lives++;
        // What a crash left half done: the senders try again.
        await resend(life.ready.smtpPort);
        if (b.path === 'mail') {
          const i = nextMail++;
          if (!(await sendMail(life.ready.smtpPort, i))) pendingMails.push(i);
        } else {
          formsMade++;
          const form = await freshForm(client, `CRASHFORM${formsMade}`).catch(() => undefined);
          if (form) {
            const ok = await client
              .request('/melden', { method: 'POST', form })
              .then(async (r) => (await r.text()) && r.status === 200)
              .catch(() => false);
            if (!ok) pendingForms.push(form);
          } else {
            formsMade--; // died before the form was even shown: nothing was made
          }
        }
        const step = await Promise.race([
          life.crashed,
          new Promise<undefined>((r) => setTimeout(() => r(undefined), 4000)),
        ]);
        if (step === b.step) tally.atBoundary++;
        await stop(life);
      }
    }

    // A clean start: recovery on start, the senders' retries, the outbox sweep.
    life = await startLife(env);
    await resend(life.ready.smtpPort);
    const mails = nextMail - 1;
    const expectedEmails = (JSON.parse(expected.form) as string[]).length * formsMade;
    const expectedMails = (JSON.parse(expected.mail) as string[]).length * mails;
    const doc = documentClient({ endpoint: life.ready.endpoint });
    let items: Record<string, unknown>[] = [];
    let outbox: ParsedMail[] = [];
    const runtimeView = {
      outboxDir: join(dataDir, 'outbox'),
      sweepOutbox: async () => undefined,
    } as unknown as LocalRuntime;
    for (let w = 0; w < 60; w++) {
      await new Promise((r) => setTimeout(r, 500));
      items = await scanAll(doc, life.ready.table);
      outbox = await outboxMessages(runtimeView);
      const pending = items.filter((i) => i.kind === 'signal' && Number(i.pendingMails ?? 0) > 0);
      const withRef = [...shapes(outbox).values()].flat().length;
      const raw = await blobNames(dataDir, 'raw');
      const done = await blobNames(dataDir, 'processed');
      const settled = raw.every((r) => done.includes(r));
      if (withRef >= expectedEmails + expectedMails && pending.length === 0 && settled && w > 2)
        break;
    }
    // Two more sweeps and retry periods: anything sent twice would show now.
    await new Promise((r) => setTimeout(r, 2500));
    items = await scanAll(doc, life.ready.table);
    outbox = await outboxMessages(runtimeView);
    doc.destroy();
    const blobs = await blobNames(dataDir, 'raw');
    const processed = await blobNames(dataDir, 'processed');
    await stop(life);

    const sigs = items.filter((i) => i.kind === 'signal');
    const byChannel = (c: string) => sigs.filter((s) => s.channel === c);
    const per = shapes(outbox);
    const refs = sigs.map((s) => s.reference as string);
    let differing = 0;
    const differences: string[] = [];
    for (const s of sigs) {
      const got = JSON.stringify(per.get(s.reference as string));
      const want = s.channel === 'form' ? expected.form : expected.mail;
      if (got !== want || s.status !== 'received') {
        differing++;
        differences.push(
          `${s.reference} (${s.channel}, ${s.status}, pendingMails ${s.pendingMails ?? 0}): ${got} instead of ${want}`,
        );
      }
    }
    const perMessageId = new Map<string, number>();
    for (const m of outbox) {
      const id = m.raw.match(/^Message-ID:\s*(\S+)/im)?.[1] ?? m.file;
      perMessageId.set(id, (perMessageId.get(id) ?? 0) + 1);
    }
    const sentTwice = [...perMessageId.values()].filter((n) => n > 1).length;
    const lostMails = mails - byChannel('email').length;
    const lostForms = formsMade - byChannel('form').length;
    const unprocessed = blobs.filter((b) => !processed.includes(b)).length;
    const totalKills = [...kills.values()].reduce((a, b) => a + b.lives, 0);
    const atBoundary = [...kills.values()].reduce((a, b) => a + b.atBoundary, 0);
    const ok =
      lostMails === 0 &&
      lostForms === 0 &&
      differing === 0 &&
      sentTwice === 0 &&
      unprocessed === 0 &&
      new Set(refs).size === refs.length &&
      pendingMails.length === 0 &&
      pendingForms.length === 0;
    report(
      'crash between steps',
      `${totalKills} kills (${KILLS} at each of ${BOUNDARIES.length} boundaries: ${[...kills].map(([k, v]) => `${k} ${v.atBoundary}/${v.lives}`).join(', ')}; ${atBoundary} hit the boundary exactly) in ${Math.round((Date.now() - started) / 1000)} s; ${mails} mails + ${formsMade} form posts → ${byChannel('email').length} + ${byChannel('form').length} signals, ${lostMails + lostForms} lost, ${unprocessed} raw mails unprocessed, ${differing} differing from the run without crashes, ${sentTwice} emails sent twice`,
      ok,
    );
    expect(lostMails).toBe(0);
    expect(lostForms).toBe(0);
    expect(unprocessed).toBe(0);
    expect(differences).toEqual([]);
    expect(sentTwice).toBe(0);
    expect(new Set(refs).size).toBe(refs.length);
    expect(atBoundary).toBe(totalKills);
  });
});
