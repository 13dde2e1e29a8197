import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { FileBlobStore } from '#adapters/blob/file-blob-store.ts';
import { DynamoRetentionStore } from '#adapters/dynamo/retention-store.ts';
import { DynamoSignalStore } from '#adapters/dynamo/signal-store.ts';
import type { Config } from '#core/config.ts';
import type { Clock, Crypto, Logger } from '#core/ports.ts';
import { type RetentionResult, runRetention } from '#core/use-cases/erasure.ts';

const DAY_MS = 86_400_000;

/**
 * Local wiring of retention: the same blob directory the mail intake uses
 * (DATA_DIR/blobs) and the one table. On AWS an EventBridge schedule runs
 * the same `runRetention` in a Lambda.
 */
export function localRetention(o: {
  config: Config;
  doc: DynamoDBDocumentClient;
  table: string;
  crypto: Crypto;
  clock: Clock;
  dataDir: string;
  logger: Logger;
}) {
  const store = new DynamoRetentionStore(o.doc, o.table);
  const blobs = new FileBlobStore(join(o.dataDir, 'blobs'));
  const deps = {
    config: o.config,
    store: new DynamoSignalStore(o.doc, o.table),
    retention: store,
    blobs,
    crypto: o.crypto,
    clock: o.clock,
    logger: o.logger,
  };
  const run = (): Promise<RetentionResult> => runRetention(deps);
  return {
    store,
    blobs,
    run,
    /**
     * A plain daily timer, deliberately: the reminder scheduler (cron-style)
     * is someone else's work, and retention only needs "about once a day".
     * First run an hour after start, so starting up stays quick. Returns stop().
     */
    startDaily(intervalMs = DAY_MS, firstAfterMs = 3_600_000): () => void {
      const tick = () =>
        void run().catch((err: Error) =>
          o.logger.error('retention run failed', { error: err.name }),
        );
      const first = setTimeout(tick, firstAfterMs);
      const every = setInterval(tick, intervalMs);
      first.unref();
      every.unref();
      return () => {
        clearTimeout(first);
        clearInterval(every);
      };
    },
  };
}
