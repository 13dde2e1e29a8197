import { writeSync } from 'node:fs';
import { FileBlobStore } from '#adapters/blob/file-blob-store.ts';
import { FileOutbox } from '#adapters/file-outbox.ts';
import { PostalMimeParser } from '#adapters/mail/postal-mime-parser.ts';
import type { OutgoingEmail } from '#core/ports.ts';
import { startLocal } from '#local/runtime.ts';

/**
 * The local stack in a child process for the crash scenario, with a fault
 * hook at the adapter boundaries: when CRASH_AT names a step, the process
 * SIGKILLs itself the first time that step completes (or, for `sending`,
 * starts). Only this test script reads CRASH_AT; product code has no hook.
 *
 *   raw-stored  the sealed raw mail is in the blob store (the client has no 250 yet)
 *   parsed      the MIME parser returned
 *   stored      the signal item, with its queued mails, is written
 *   marked      the intake's processed marker is written
 *   sending     the mailer was called, nothing written yet
 *   sent        the .eml is written, not yet marked sent in the table
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const crashAt = process.env.CRASH_AT ?? '';

function reached(step: string) {
  if (step !== crashAt) return;
  writeSync(1, `CRASH ${step}\n`);
  process.kill(process.pid, 'SIGKILL');
}

const put = FileBlobStore.prototype.put;
FileBlobStore.prototype.put = async function (this: FileBlobStore, key, bytes) {
  await put.call(this, key, bytes);
  if (key.startsWith('raw/')) reached('raw-stored');
  if (key.startsWith('processed/')) reached('marked');
};
const parse = PostalMimeParser.prototype.parse;
PostalMimeParser.prototype.parse = async function (this: PostalMimeParser, raw) {
  const out = await parse.call(this, raw);
  reached('parsed');
  return out;
};

const runtime = await startLocal({
  port: Number(process.env.PORT ?? 0),
  smtpPort: Number(process.env.SMTP_PORT ?? 0),
  dataDir: process.env.DATA_DIR as string,
  sweepIntervalMs: 300,
  mailRetryMs: 1000,
  logger: { info() {}, warn() {}, error() {}, debug() {} } as never,
  onDynamoClient: (doc) =>
    doc.middlewareStack.add(
      (next) => async (args) => {
        const out = await next(args);
        const item = (args.input as { Item?: { kind?: unknown } }).Item;
        const kind = item?.kind as string | { S?: string } | undefined;
        if (kind === 'signal' || (typeof kind === 'object' && kind?.S === 'signal'))
          reached('stored');
        return out;
      },
      { step: 'initialize', name: 'crashHook' },
    ),
  mailer: (dir, config) => {
    const real = new FileOutbox({ dir, from: config.mailFrom });
    return {
      async send(mail: OutgoingEmail) {
        reached('sending');
        await real.send(mail);
        reached('sent');
      },
    };
  },
});
writeSync(
  1,
  `READY ${JSON.stringify({ url: runtime.url, smtpPort: runtime.smtp.port, ...runtime.dynamo })}\n`,
);
