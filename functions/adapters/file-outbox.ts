import { randomBytes } from 'node:crypto';
import {
  link,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import type { Clock, Mailer, OutgoingEmail } from '#core/ports.ts';
import { safeMailId } from './mail-headers.ts';
import { buildMime } from './mime.ts';

/**
 * The local Mailer: every mail becomes `<dir>/<yyyymmddThhmmss>-<id>.eml`,
 * which a developer opens in a mail client or at /dev/mail. The time stamp is
 * UTC so names sort by sending time even across the autumn clock change.
 *
 * Idempotent by mail id: `<dir>/.sent/<id>` names the file a mail id was
 * given. The marker is claimed before the mail is written, so a second send of
 * the same id finds it; a send that crashed between claim and write is
 * completed by the retry instead of being lost.
 */
export class FileOutbox implements Mailer {
  readonly #dir: string;
  readonly #from: string;
  readonly #clock: Clock;

  constructor(options: { dir: string; from: string; clock?: Clock }) {
    this.#dir = options.dir;
    this.#from = options.from;
    this.#clock = options.clock ?? { now: () => new Date() };
  }

  async send(mail: OutgoingEmail): Promise<void> {
    const sentDir = join(this.#dir, '.sent');
    await mkdir(sentDir, { recursive: true, mode: 0o700 });
    const id = safeMailId(mail.id);
    const now = this.#clock.now();
    const file = await claimName(join(sentDir, id), `${stamp(now)}-${id}.eml`);
    const target = join(this.#dir, file);
    if (await exists(target)) return;

    const bytes = await buildMime(mail, { from: this.#from, date: now });
    const temp = join(this.#dir, `.tmp-${randomBytes(8).toString('hex')}`);
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  }
}

/**
 * Returns the file name recorded for this id, recording `proposed` when there
 * is none. link() is atomic and fails when the marker exists, so a concurrent
 * sender never reads a half-written marker (open with 'wx' then write could).
 */
async function claimName(marker: string, proposed: string): Promise<string> {
  const temp = `${marker}.${randomBytes(8).toString('hex')}.tmp`;
  await writeFile(temp, proposed, { mode: 0o600, flag: 'wx' });
  try {
    await link(temp, marker);
    return proposed;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const recorded = (await readFile(marker, 'utf8')).trim();
    if (!EML_NAME.test(recorded)) throw new Error(`outbox marker for ${proposed} is corrupt`);
    return recorded;
  } finally {
    await unlink(temp);
  }
}

function stamp(d: Date): string {
  return d
    .toISOString()
    .replace(/\.\d{3}Z$/, '')
    .replace(/[-:]/g, '');
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

// ---- reading the outbox back (the /dev/mail viewer) -------------------------

/** The only file names the viewer will open: no separators, no dot-files. */
export const EML_NAME = /^\w[\w.-]*\.eml$/;

export type OutboxEntry = { file: string; date: string; from: string; to: string; subject: string };
export type OutboxMessage = OutboxEntry & { text: string; html?: string; raw: Buffer };

/** The outbox as the /dev/mail viewer reads it (see DevMailbox in forms/routes/dev-mail.tsx). */
export function outboxReader(dir: string) {
  return {
    list: () => listOutbox(dir),
    read: (file: string) => readOutboxMessage(dir, file),
  };
}

/** Newest first. A missing outbox is an empty one (nothing sent yet). */
export async function listOutbox(dir: string, limit = 200): Promise<OutboxEntry[]> {
  const files = (await emlFiles(dir)).sort().reverse().slice(0, limit);
  const entries: OutboxEntry[] = [];
  for (const file of files) {
    const message = await parseFile(dir, file);
    if (message) entries.push(summary(message));
  }
  return entries;
}

/** undefined unless `file` is a well-formed name of a message in `dir`. */
export async function readOutboxMessage(
  dir: string,
  file: string,
): Promise<OutboxMessage | undefined> {
  // Compare against the listing rather than trusting the name: nothing the
  // caller passes is ever joined onto a path unless the directory holds it.
  if (!EML_NAME.test(file) || !(await emlFiles(dir)).includes(file)) return undefined;
  return parseFile(dir, file);
}

async function parseFile(dir: string, file: string): Promise<OutboxMessage | undefined> {
  let raw: Buffer;
  try {
    raw = await readFile(join(dir, file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const email = await PostalMime.parse(raw);
  const addresses = (list: typeof email.to) =>
    (list ?? []).map((a) => ('address' in a && a.address ? a.address : a.name)).join(', ');
  return {
    file,
    date: email.date ?? '',
    from: email.from ? addresses([email.from]) : '',
    to: addresses(email.to),
    subject: email.subject ?? '',
    text: email.text ?? '',
    ...(email.html ? { html: email.html } : {}),
    raw,
  };
}

function summary(m: OutboxMessage): OutboxEntry {
  return { file: m.file, date: m.date, from: m.from, to: m.to, subject: m.subject };
}

async function emlFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => EML_NAME.test(f));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
