import { join, resolve } from 'node:path';
import { EncryptionSdkCrypto, rawAesKeyring } from '#adapters/crypto/encryption-sdk.ts';
import { SignalKeyCrypto } from '#adapters/crypto/signal-keys.ts';
import { documentClient, ensureTable } from '#adapters/dynamo/client.ts';
import { startEmbeddedDynamo } from '#adapters/dynamo/embedded.ts';
import { DynamoSignalKeyStore } from '#adapters/dynamo/signal-key-store.ts';
import { DynamoSignalStore } from '#adapters/dynamo/signal-store.ts';
import { loadOrCreateKey } from '#adapters/local/key-file.ts';
import { jsonLogger } from '#adapters/system.ts';
import { DEFAULTS, ENV } from '#config/env.ts';
import type { Clock } from '#core/ports.ts';
import { localRetention } from './retention.ts';
import { loadConfigFile } from './runtime.ts';

/**
 * The local composition for command-line jobs (report, retention): the same
 * data directory, table, key file and config as `npm start`, without the
 * web server or SMTP intake. The embedded database keeps its files locked
 * while `npm start` runs: stop it first, or point DYNAMODB_ENDPOINT at a
 * running DynamoDB.
 */
export async function openLocal(clock: Clock, env: NodeJS.ProcessEnv = process.env) {
  const dataDir = resolve(env[ENV.dataDir] ?? DEFAULTS.dataDir);
  const config = await loadConfigFile(env[ENV.configFile] ?? DEFAULTS.configFile);
  let endpoint = env[ENV.dynamoEndpoint];
  let closeDynamo = async () => {};
  if (!endpoint) {
    try {
      const embedded = await startEmbeddedDynamo({ path: join(dataDir, 'dynamodb') });
      endpoint = embedded.endpoint;
      closeDynamo = embedded.close;
    } catch (err) {
      throw new Error(
        `Cannot open the local database in ${dataDir} (${(err as Error).message}). Is npm start running? Stop it first.`,
      );
    }
  }
  const doc = documentClient({ endpoint });
  const table = env[ENV.tableName] ?? DEFAULTS.tableName;
  // A database locked by `npm start` fails inside dynalite's request handler,
  // outside any promise we hold: say so clearly instead of a stack trace.
  const locked = (err: Error) => {
    process.stderr.write(
      err.message === 'Database is closed'
        ? `Cannot open the local database in ${dataDir}: it is in use. Is npm start running? Stop it first (or set ${ENV.dynamoEndpoint} to a running DynamoDB).\n`
        : `${err.stack ?? err.message}\n`,
    );
    process.exit(1);
  };
  process.once('uncaughtException', locked);
  try {
    await ensureTable(doc, table);
  } finally {
    process.off('uncaughtException', locked);
  }
  // As in `npm start`: each signal's parts under its own key (docs/adr/0016).
  const crypto = new SignalKeyCrypto(
    new EncryptionSdkCrypto(
      rawAesKeyring(await loadOrCreateKey(join(dataDir, 'keys', 'data-encryption.key'))),
    ),
    new DynamoSignalKeyStore(doc, table),
  );
  const logger = jsonLogger('meldroute-cli', true);
  const retention = localRetention({ config, doc, table, crypto, clock, dataDir, logger });
  return {
    config,
    clock,
    store: new DynamoSignalStore(doc, table),
    retention,
    // For jobs that wire more of their own (reminders): the same table, keys and directory.
    doc,
    table,
    crypto,
    dataDir,
    logger,
    async close() {
      doc.destroy();
      await closeDynamo();
    },
  };
}
