import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join, resolve } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getRequestListener } from '@hono/node-server';
import { EncryptionSdkCrypto, rawAesKeyring } from '#adapters/crypto/encryption-sdk.ts';
import { HmacBlindIndex, HmacLinkSigner } from '#adapters/crypto/hmac.ts';
import { SignalKeyCrypto } from '#adapters/crypto/signal-keys.ts';
import { DynamoAuthAudit } from '#adapters/dynamo/auth-audit.ts';
import { DynamoAuthStore } from '#adapters/dynamo/auth-store.ts';
import { DynamoBlindIndexStore } from '#adapters/dynamo/blind-index-store.ts';
import { documentClient, ensureTable } from '#adapters/dynamo/client.ts';
import { startEmbeddedDynamo } from '#adapters/dynamo/embedded.ts';
import { DynamoOutboxStore } from '#adapters/dynamo/outbox-store.ts';
import { DynamoSecondFactorStore } from '#adapters/dynamo/second-factor-store.ts';
import { DynamoSignalKeyStore } from '#adapters/dynamo/signal-key-store.ts';
import { DynamoSignalStore } from '#adapters/dynamo/signal-store.ts';
import { DynamoWorkLists } from '#adapters/dynamo/work-lists.ts';
import { FileOutbox, outboxReader } from '#adapters/file-outbox.ts';
import { loadOrCreateKey } from '#adapters/local/key-file.ts';
import {
  OpenIdClientProvider,
  resolveClientSecret,
} from '#adapters/oidc/openid-client-provider.ts';
import { jsonLogger, randomIds, systemClock } from '#adapters/system.ts';
import { DEFAULTS, ENV } from '#config/env.ts';
import { type Config, parseConfig } from '#core/config.ts';
import type { Clock, EmailRenderer, Logger, Mailer } from '#core/ports.ts';
import { drainOutbox } from '#core/use-cases/deliver-outbox.ts';
import { createApp } from '#forms/app.tsx';
import { servesHttps, withSecurityHeaders } from '#forms/http/security.ts';
import { emailRenderer } from '#templates/render.ts';
import { startLocalMailIntake } from './mail-intake.ts';
import { localReminders } from './reminders.ts';
import { localRetention } from './retention.ts';

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
  /** How long a failed or interrupted send waits before it is retried (default 5 minutes). */
  mailRetryMs?: number;
  /** Tests move time (session timeouts, due dates). */
  clock?: Clock;
  /** Tests inject faults at the DynamoDB adapter boundary (an SDK middleware). */
  onDynamoClient?: (doc: DynamoDBDocumentClient) => void;
  /** The mailbox's SMTP intake; a free port unless given (optionsFromEnv gives SMTP_PORT or 2525). */
  smtpPort?: number;
  smtpHost?: string;
};

export type LocalRuntime = {
  url: string;
  /** Every route of the web app (tests enumerate them: headers, no state change on GET). */
  routes: { method: string; path: string }[];
  /** The DynamoDB endpoint and table in use (tests read raw items through them). */
  dynamo: { endpoint: string; table: string };
  config: Config;
  dataDir: string;
  outboxDir: string;
  sweepOutbox(): Promise<void>;
  /** Where the mailbox listens, and a way to wait until mail handed in is processed. */
  smtp: { host: string; port: number; idle(): Promise<void> };
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
  // `npm start` listens on the well-known 2525; programmatic runtimes (tests) on a free port.
  opts.smtpPort = num(env[ENV.smtpPort]) ?? DEFAULTS.smtpPort;
  if (env[ENV.smtpHost]) opts.smtpHost = env[ENV.smtpHost];
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
  // The server adds the security headers, not a middleware in the app (issue 8);
  // whether HSTS goes with them is known once the configuration is read.
  let https = false;
  const server = createServer(
    withSecurityHeaders(
      getRequestListener(
        (req, env) => (handler ? handler(req, env) : new Response('starting', { status: 503 })),
        { hostname: host },
      ),
      { https: () => https },
    ),
  );
  await new Promise<void>((resolveServer, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolveServer();
    });
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
  options.onDynamoClient?.(doc);
  const clock = options.clock ?? systemClock;
  const table = options.tableName ?? DEFAULTS.tableName;
  for (const note of await ensureTable(doc, table)) logger.warn(note);

  const key = await loadOrCreateKey(join(dataDir, 'keys', 'data-encryption.key'));
  // The officer's route: each secret has its own key, never the data key.
  const blindIndex = new HmacBlindIndex(
    await loadOrCreateKey(join(dataDir, 'keys', 'blind-index.key')),
  );
  const linkSigner = new HmacLinkSigner(
    await loadOrCreateKey(join(dataDir, 'keys', 'partner-link.key')),
  );
  // Each signal's officer parts under its own key, wrapped by the key file's (docs/adr/0016).
  const crypto = new SignalKeyCrypto(
    new EncryptionSdkCrypto(rawAesKeyring(key)),
    new DynamoSignalKeyStore(doc, table),
  );
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
      // Once more when a write asked for a sweep while this one ran.
      do {
        again = false;
        const r = await drainOutbox({
          outbox,
          crypto,
          mailer,
          clock,
          municipality: config.municipality.code,
          claimTimeoutMs: options.mailRetryMs ?? 5 * 60_000,
        });
        if (r.sent || r.failed) logger.info('outbox swept', { sent: r.sent, failed: r.failed });
      } while (again);
    })()
      .catch((err) => logger.error('outbox sweep failed', { error: (err as Error).name }))
      .finally(() => {
        sweeping = undefined;
      });
    return sweeping;
  };

  // A missing client secret stops the start with its name; the provider itself is asked only on first use.
  const sso = config.sso
    ? new OpenIdClientProvider({
        issuer: config.sso.issuer,
        clientId: config.sso.clientId,
        clientSecret: await resolveClientSecret(config.sso).catch(async (err: Error) => {
          for (const close of closers) await close();
          doc.destroy();
          throw err;
        }),
        redirectUri: `${config.baseUrl}/login/sso/callback`,
        scopes: config.sso.scopes,
      })
    : undefined;

  const retention = localRetention({ config, doc, table, crypto, clock, dataDir, logger });
  // Issue 5: chasing partner feedback and the officers' digest, on `reminders.cron`.
  const reminders = localReminders({
    config,
    doc,
    table,
    crypto,
    clock,
    render,
    linkSigner,
    logger,
  });
  https = servesHttps(config.baseUrl);
  const app = createApp(
    {
      config,
      store: new DynamoSignalStore(doc, table),
      auth: new DynamoAuthStore(doc, table),
      factors: new DynamoSecondFactorStore(doc, table),
      authAudit: new DynamoAuthAudit(doc, table, () => randomIds.token(8)),
      ...(sso ? { sso } : {}),
      crypto,
      clock,
      ids: randomIds,
      render,
      logger,
      // After this turn of the event loop, when the answer has been written: the
      // person waits for their page, not for the mails that page caused.
      afterWrite: () => void setImmediate(() => void sweepOutbox()),
      devMail: outboxReader(outboxDir),
      linkSigner,
      workLists: new DynamoWorkLists(doc, table),
      blindIndex,
      blindIndexStore: new DynamoBlindIndexStore(doc, table),
      retention: retention.store,
      blobs: retention.blobs,
      digests: reminders.digests,
    },
    { securityHeaders: 'server' },
  );

  handler = app.fetch;

  const mail = await startLocalMailIntake({
    dataDir,
    port: options.smtpPort ?? 0,
    host: options.smtpHost ?? DEFAULTS.smtpHost,
    config,
    doc,
    table,
    crypto,
    clock,
    ids: randomIds,
    render,
    mailer,
    logger,
    afterIntake: () => void sweepOutbox(),
    // One store for what the intake writes, the officer downloads and retention erases.
    blobs: retention.blobs,
    linkSigner,
    blindIndex,
    blindIndexStore: new DynamoBlindIndexStore(doc, table),
  }).catch(async (err: Error) => {
    // e.g. the SMTP port is taken: stop what already runs, then report it.
    for (const close of closers) await close();
    doc.destroy();
    throw new Error(`Cannot start the SMTP intake: ${err.message}`);
  });
  // Closed first: no mail is accepted while the rest shuts down.
  closers.unshift(mail.close);

  const timer = setInterval(() => void sweepOutbox(), options.sweepIntervalMs ?? 30_000);
  // Retention (issue 6): a simple daily timer, separate from the reminder scheduler.
  const stopRetention = retention.startDaily();
  const stopReminders = reminders.startSchedule(() => void sweepOutbox());
  timer.unref();
  void sweepOutbox();

  return {
    url,
    dynamo: { endpoint, table },
    routes: app.routes.map((r) => ({ method: r.method, path: r.path })),
    config,
    dataDir,
    outboxDir,
    sweepOutbox,
    smtp: { host: mail.host, port: mail.port, idle: mail.idle },
    async close() {
      clearInterval(timer);
      stopRetention();
      stopReminders();
      await sweeping;
      for (const close of closers) await close();
      doc.destroy();
    },
  };
}
