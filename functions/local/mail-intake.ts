import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { FileBlobStore } from '#adapters/blob/file-blob-store.ts';
import { HmacReplyTokens } from '#adapters/crypto/hmac-reply-tokens.ts';
import { DynamoSignalDirectory } from '#adapters/dynamo/signal-directory.ts';
import { DynamoSignalStore } from '#adapters/dynamo/signal-store.ts';
import { loadOrCreateKey } from '#adapters/local/key-file.ts';
import { PostalMimeParser } from '#adapters/mail/postal-mime-parser.ts';
import { startSmtpIntake } from '#adapters/mail/smtp-intake.ts';
import type { Config } from '#core/config.ts';
import type {
  BlindIndex,
  BlindIndexStore,
  BlobStore,
  Clock,
  Crypto,
  EmailRenderer,
  IdGenerator,
  LinkSigner,
  Logger,
  Mailer,
} from '#core/ports.ts';
import {
  type IntakeDeps,
  intakeRawMail,
  processPendingRawMail,
} from '#core/use-cases/intake-mail.ts';
import { partnerReplyHook } from '#core/use-cases/workflow/partner-feedback.ts';

export type LocalMailIntake = {
  host: string;
  port: number;
  blobs: BlobStore;
  /** Resolves when every message handed in so far has been through the intake. */
  idle(): Promise<void>;
  close(): Promise<void>;
};

/** How often stored-but-unprocessed mail is retried (e.g. after DynamoDB was briefly down). */
const RETRY_MS = 5 * 60_000;

/**
 * Local mode's mailbox: the SMTP server, the file blob store under
 * DATA_DIR/blobs, and one queue that runs the intake for each stored message,
 * one at a time. On start (and every few minutes) anything stored but not
 * processed is queued again, so a crash after the SMTP 250 loses nothing.
 */
export async function startLocalMailIntake(o: {
  dataDir: string;
  port: number;
  host: string;
  config: Config;
  doc: DynamoDBDocumentClient;
  table: string;
  crypto: Crypto;
  clock: Clock;
  ids: IdGenerator;
  render: EmailRenderer;
  mailer: Mailer;
  logger: Logger;
  /** After each message (locally: sweep the outbox so the receipt goes out now). */
  afterIntake: () => void;
  /** The web app's store, when it has one (attachments are downloaded from it); else DATA_DIR/blobs. */
  blobs?: BlobStore;
  /** The officer's route: partner replies become feedback, mailed signals join "already known". */
  linkSigner: LinkSigner;
  blindIndex: BlindIndex;
  blindIndexStore: BlindIndexStore;
}): Promise<LocalMailIntake> {
  const blobs = o.blobs ?? new FileBlobStore(join(o.dataDir, 'blobs'));
  const replyKey = await loadOrCreateKey(join(o.dataDir, 'keys', 'reply-token.key'));
  // One parser, so one worker thread for all messages (ended in close()).
  const parser = new PostalMimeParser();
  const deps: IntakeDeps = {
    config: o.config,
    store: new DynamoSignalStore(o.doc, o.table),
    crypto: o.crypto,
    clock: o.clock,
    ids: o.ids,
    render: o.render,
    blobs,
    parser,
    mailer: o.mailer,
    logger: o.logger,
    replyTokens: new HmacReplyTokens(replyKey),
    directory: new DynamoSignalDirectory(o.doc, o.table),
    blindIndex: o.blindIndex,
    blindIndexStore: o.blindIndexStore,
  };
  deps.partnerReplies = partnerReplyHook({ ...deps, linkSigner: o.linkSigner });

  let chain: Promise<void> = Promise.resolve();
  let closing = false;
  const run = (rawKey: string, raw?: Uint8Array): Promise<void> => {
    const next = chain.then(async () => {
      await intakeRawMail(deps, { rawKey, ...(raw ? { raw } : {}), receivedVia: 'smtp' });
      // While shutting down, queued mail waits in the outbox for the next start.
      if (!closing) o.afterIntake();
    });
    // The queue goes on after a failure; the message stays pending for the retry.
    chain = next.catch((err: Error) => o.logger.error('mail intake failed', { error: err.name }));
    return next;
  };
  const recover = () =>
    processPendingRawMail(deps, run).catch((err: Error) =>
      o.logger.error('mail recovery failed', { error: err.name }),
    );

  const smtp = await startSmtpIntake({
    port: o.port,
    host: o.host,
    config: o.config,
    blobs,
    crypto: o.crypto,
    ids: o.ids,
    logger: o.logger,
    onStored: (rawKey, raw) => void run(rawKey, raw).catch(() => undefined),
  });
  void recover();
  const timer = setInterval(() => void recover(), RETRY_MS);
  timer.unref();

  return {
    host: smtp.host,
    port: smtp.port,
    blobs,
    idle: async () => {
      let seen: Promise<void>;
      do {
        seen = chain;
        await seen;
      } while (seen !== chain);
    },
    async close() {
      closing = true;
      clearInterval(timer);
      await smtp.close();
      await chain;
      await parser.close();
    },
  };
}
