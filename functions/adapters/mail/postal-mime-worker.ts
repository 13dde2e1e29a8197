import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Email } from 'postal-mime';

/**
 * One long-lived worker thread that runs postal-mime on one message at a
 * time; the others wait in a queue. Starting a worker costs several times the
 * parse of a 1 MB message, so the worker is kept between messages, and
 * replaced only when it has to go:
 *
 * - a message over the time box fails with ParseTimeoutError and its worker
 *   is terminated (the only way to stop a synchronous loop);
 * - a worker that dies (heap limit, crash, exit) fails the message it was
 *   parsing with the error it died of.
 *
 * Either way the next queued message goes to a fresh worker. The time box of
 * a message starts when it is handed to the worker (starting one if needed),
 * not while it waits in the queue. The worker is unref'd while idle, so it
 * never keeps the process alive. One worker, not a pool: the intakes hand in
 * one message at a time anyway.
 */

export type PostalOptions = {
  maxNestingDepth: number;
  maxHeadersSize: number;
  maxRfc822NestingDepth: number;
  attachmentEncoding: 'arraybuffer';
};

export type PostalMimeWorkerOptions = {
  timeoutMs: number;
  maxMemoryMb: number;
};

export class ParseTimeoutError extends Error {
  override readonly name = 'ParseTimeoutError';
}

type Job = {
  raw: ArrayBuffer;
  options: PostalOptions;
  resolve: (email: Email) => void;
  reject: (err: Error) => void;
};
type Reply = { id: number; ok: true; email: Email } | { id: number; ok: false; error: string };

export class PostalMimeWorker {
  readonly #o: PostalMimeWorkerOptions;
  readonly #queue: Job[] = [];
  #worker: Worker | undefined;
  #busy: { job: Job; id: number; timer: NodeJS.Timeout } | undefined;
  #lastId = 0;
  #started = 0;
  /** Settles after every message handed in so far (jobs run in order). */
  #tail: Promise<unknown> = Promise.resolve();

  constructor(options: PostalMimeWorkerOptions) {
    this.#o = options;
  }

  /** Workers started so far: 1 after any number of good messages. */
  get started(): number {
    return this.#started;
  }

  /** `raw` is transferred to the worker: the caller must not use it afterwards. */
  parse(raw: ArrayBuffer, options: PostalOptions): Promise<Email> {
    const done = new Promise<Email>((resolve, reject) => {
      this.#queue.push({ raw, options, resolve, reject });
    });
    this.#tail = done.catch(() => undefined);
    this.#next();
    return done;
  }

  /** Waits for the messages handed in so far, then ends the worker. A later parse starts a new one. */
  async close(): Promise<void> {
    let seen: Promise<unknown>;
    do {
      seen = this.#tail;
      await seen;
    } while (seen !== this.#tail);
    const worker = this.#worker;
    if (!worker || this.#busy) return;
    this.#worker = undefined;
    await worker.terminate();
  }

  #next(): void {
    if (this.#busy) return;
    const job = this.#queue.shift();
    if (!job) {
      this.#worker?.unref();
      return;
    }
    const worker = this.#worker ?? this.#spawn();
    worker.ref();
    const id = ++this.#lastId;
    const timer = setTimeout(
      () => this.#lose(worker, new ParseTimeoutError(`parse took over ${this.#o.timeoutMs} ms`)),
      this.#o.timeoutMs,
    );
    this.#busy = { job, id, timer };
    try {
      worker.postMessage({ id, raw: job.raw, options: job.options }, [job.raw]);
    } catch (err) {
      // e.g. a buffer that was already transferred: this message fails, the worker is fine.
      clearTimeout(timer);
      this.#busy = undefined;
      job.reject(err as Error);
      this.#next();
    }
  }

  #spawn(): Worker {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { modulePath: postalMimePath() },
      resourceLimits: {
        maxOldGenerationSizeMb: this.#o.maxMemoryMb,
        maxYoungGenerationSizeMb: 64,
      },
      // Kept out of the process's output. Destroyed, not read: a stdio stream that
      // has been read holds the process open for as long as the worker lives.
      stdout: true,
      stderr: true,
    });
    worker.stdout.destroy();
    worker.stderr.destroy();
    this.#started++;
    worker.on('message', (m: Reply) => {
      const busy = this.#busy;
      // A reply that lost the race with its time box, from a worker already let go.
      if (worker !== this.#worker || !busy || m.id !== busy.id) return;
      clearTimeout(busy.timer);
      this.#busy = undefined;
      if (m.ok) busy.job.resolve(m.email);
      else busy.job.reject(new Error(m.error));
      this.#next();
    });
    // 'error' (e.g. ERR_WORKER_OUT_OF_MEMORY) comes before 'exit'; the first one counts.
    worker.on('error', (err) => this.#lose(worker, err));
    worker.on('exit', (code) => this.#lose(worker, new Error(`parser worker exited with ${code}`)));
    this.#worker = worker;
    return worker;
  }

  /** The worker is gone or must go: the message it had fails, the next gets a fresh worker. */
  #lose(worker: Worker, err: Error): void {
    if (worker !== this.#worker) return;
    this.#worker = undefined;
    void worker.terminate();
    const busy = this.#busy;
    this.#busy = undefined;
    if (busy) {
      clearTimeout(busy.timer);
      busy.job.reject(err);
    }
    this.#next();
  }
}

let modulePath: string | undefined;
function postalMimePath(): string {
  modulePath ??= createRequire(import.meta.url).resolve('postal-mime');
  return modulePath;
}

/**
 * The worker: plain CommonJS so it runs the same under node, tsx and vitest.
 * It only parses, with a new PostalMime per message (the static parse), so
 * nothing of one message is left for the next; the Email (plain objects and
 * ArrayBuffers) is mapped on the main thread. Attachment buffers are
 * transferred, not copied.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const mod = require(workerData.modulePath);
const PostalMime = mod.default || mod;
parentPort.on('message', async ({ id, raw, options }) => {
  try {
    const email = await PostalMime.parse(raw, options);
    email.headerLines = [];
    const buffers = email.attachments.map((a) => a.content).filter((c) => c instanceof ArrayBuffer);
    parentPort.postMessage({ id, ok: true, email }, [...new Set(buffers)]);
  } catch (err) {
    parentPort.postMessage({ id, ok: false, error: String((err && err.message) || err).slice(0, 200) });
  }
});
`;
