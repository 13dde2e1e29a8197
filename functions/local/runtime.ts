import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ServerType } from '@hono/node-server';
import { serve } from '@hono/node-server';
import { EncryptionSdkCrypto, rawAesKeyring } from '#adapters/crypto/encryption-sdk.ts';
import { DynamoAuthStore } from '#adapters/dynamo/auth-store.ts';
import { documentClient, ensureTable } from '#adapters/dynamo/client.ts';
import { startEmbeddedDynamo } from '#adapters/dynamo/embedded.ts';
import { DynamoOutboxStore } from '#adapters/dynamo/outbox-store.ts';
import { DynamoSignalStore } from '#adapters/dynamo/signal-store.ts';
import { FileOutbox, outboxReader } from '#adapters/file-outbox.ts';
import { loadOrCreateKey } from '#adapters/local/key-file.ts';
import { jsonLogger, randomIds, systemClock } from '#adapters/system.ts';
import { DEFAULTS, ENV } from '#config/env.ts';
import { type Config, parseConfig } from '#core/config.ts';
import type { EmailRenderer, Logger, Mailer } from '#core/ports.ts';
import { deliverOutbox } from '#core/use-cases/deliver-outbox.ts';
import { createApp } from '#forms/app.tsx';
import { emailRenderer } from '#templates/render.ts';

export type LocalOptions = {
  port?: number;
  host?: string;
  dataDir?: string;
  configFile?: string;
  baseUrl?: string;
  dynamoEndpoint?: string;
  tableName?: string;
  logger?: Logger;
  /** Tests swap the mailer to inject faults. */
  mailer?: (outboxDir: string, config: Config) => Mailer;
  /** How often the outbox is swept besides right after each write. */
  sweepIntervalMs?: number;
};

export type LocalRuntime = {
  url: string;
  config: Config;
  dataDir: string;
  outboxDir: string;
  sweepOutbox(): Promise<void>;
  close(): Promise<void>;
};

export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): LocalOptions {
  const num = (v: string | undefined) => (v ? Number(v) : undefined);
  const opts: LocalOptions = {};
  const port = num(env[ENV.port]);
  if (port !== undefined) opts.port = port;
  if (env[ENV.host]) opts.host = env[ENV.host];
  if (env[ENV.dataDir]) opts.dataDir = env[ENV.dataDir];
  if (env[ENV.configFile]) opts.configFile = env[ENV.configFile];
  if (env[ENV.baseUrl]) opts.baseUrl = env[ENV.baseUrl];
  if (env[ENV.dynamoEndpoint]) opts.dynamoEndpoint = env[ENV.dynamoEndpoint];
  if (env[ENV.tableName]) opts.tableName = env[ENV.tableName];
  return opts;
}

export async function loadConfigFile(file: string, baseUrl?: string): Promise<Config> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read configuration file ${file}: ${(err as Error).message}`);
  }
  if (baseUrl && raw && typeof raw === 'object') raw = { ...raw, baseUrl };
  return parseConfig(raw, file);
}

/**
 * The composition root of local mode: one process with the web app, the
 * embedded DynamoDB, a key file and the file outbox.
 */
export async function startLocal(options: LocalOptions = {}): Promise<LocalRuntime> {
  const logger = options.logger ?? jsonLogger('meldroute');
  const dataDir = resolve(options.dataDir ?? DEFAULTS.dataDir);
  const port = options.port ?? DEFAULTS.port;
  const host = options.host ?? DEFAULTS.host;
  // Listen first: with port 0 the real port, and so the links in emails, is known only then.
  let handler: ((req: Request, env: unknown) => Response | Promise<Response>) | undefined;
  const server: ServerType = await new Promise((resolveServer, reject) => {
    const s = serve(
      {
        fetch: (req, env) =>
          handler ? handler(req, env) : new Response('starting', { status: 503 }),
        port,
        hostname: host,
      },
      () => resolveServer(s),
    );
    s.once('error', reject);
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host === '0.0.0.0' ? 'localhost' : host}:${actualPort}`;
  const closeServer = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    });

  let config: Config;
  try {
    config = await loadConfigFile(
      options.configFile ?? DEFAULTS.configFile,
      options.baseUrl ??
        (actualPort === DEFAULTS.port ? undefined : `http://localhost:${actualPort}`),
    );
  } catch (err) {
    await closeServer();
    throw err;
  }

  const closers: Array<() => Promise<void>> = [closeServer];
  let endpoint = options.dynamoEndpoint;
  if (!endpoint) {
    const embedded = await startEmbeddedDynamo({ path: join(dataDir, 'dynamodb') });
    endpoint = embedded.endpoint;
    closers.push(embedded.close);
  }
  const doc = documentClient({ endpoint });
  const table = options.tableName ?? DEFAULTS.tableName;
  await ensureTable(doc, table);

  const key = await loadOrCreateKey(join(dataDir, 'keys', 'data-encryption.key'));
  const crypto = new EncryptionSdkCrypto(rawAesKeyring(key));
  const outboxDir = join(dataDir, 'outbox');
  const mailer = options.mailer
    ? options.mailer(outboxDir, config)
    : new FileOutbox({ dir: outboxDir, from: config.mailFrom });
  const render: EmailRenderer = emailRenderer;
  const outbox = new DynamoOutboxStore(doc, table);

  let sweeping: Promise<void> | undefined;
  let again = false;
  const sweepOutbox = async (): Promise<void> => {
    if (sweeping) {
      again = true;
      return sweeping;
    }
    sweeping = (async () => {
      do {
        again = false;
        const r = await deliverOutbox({
          outbox,
          crypto,
          mailer,
          clock: systemClock,
          municipality: config.municipality.code,
        });
        if (r.sent || r.failed) logger.info('outbox swept', { sent: r.sent, failed: r.failed });
        if (r.sent === 25) again = true;
      } while (again);
    })()
      .catch((err) => logger.error('outbox sweep failed', { error: (err as Error).name }))
      .finally(() => {
        sweeping = undefined;
      });
    return sweeping;
  };

  const app = createApp({
    config,
    store: new DynamoSignalStore(doc, table),
    auth: new DynamoAuthStore(doc, table),
    crypto,
    clock: systemClock,
    ids: randomIds,
    render,
    logger,
    afterWrite: () => void sweepOutbox(),
    devMail: outboxReader(outboxDir),
  });

  handler = app.fetch;

  const timer = setInterval(() => void sweepOutbox(), options.sweepIntervalMs ?? 30_000);
  timer.unref();
  void sweepOutbox();

  return {
    url,
    config,
    dataDir,
    outboxDir,
    sweepOutbox,
    async close() {
      clearInterval(timer);
      await sweeping;
      for (const close of closers) await close();
      doc.destroy();
    },
  };
}
