import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import * as z from 'zod/mini';
import { DynamoAuthAudit } from '#adapters/dynamo/auth-audit.ts';
import { documentClient, ensureTable } from '#adapters/dynamo/client.ts';
import { startEmbeddedDynamo } from '#adapters/dynamo/embedded.ts';
import { DynamoSecondFactorStore } from '#adapters/dynamo/second-factor-store.ts';
import { randomIds, systemClock } from '#adapters/system.ts';
import { DEFAULTS, ENV } from '#config/env.ts';
import type { Clock } from '#core/ports.ts';
import { resetSecondFactor } from '#core/use-cases/second-factor.ts';

/**
 * `npm run admin -- <command>`: administrator actions on the command line.
 *
 *   reset-2fa <email>   Removes an officer's second factor (lost phone, no
 *                       recovery codes left). The next sign-in sets up a new
 *                       authenticator app. Audited with who ran it.
 *
 * Uses DYNAMODB_ENDPOINT and TABLE_NAME when set (AWS or a shared local
 * DynamoDB), else the embedded database under DATA_DIR (default ./var), which
 * only one process can open: stop `npm start` first.
 */

const USAGE = `Usage: npm run admin -- reset-2fa <email>

Commands:
  reset-2fa <email>   Remove the officer's second factor; the next sign-in sets up a new one.
`;

const Email = z.pipe(z.string().check(z.trim(), z.toLowerCase(), z.maxLength(254)), z.email());

export type AdminOptions = {
  env?: NodeJS.ProcessEnv;
  dynamoEndpoint?: string;
  tableName?: string;
  dataDir?: string;
  operator?: string;
  clock?: Clock;
  out?: (line: string) => void;
  err?: (line: string) => void;
};

/** Runs one admin command; returns the process exit code. Output is English. */
export async function runAdmin(argv: string[], options: AdminOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const out = options.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const err = options.err ?? ((l: string) => process.stderr.write(`${l}\n`));
  const [command, ...args] = argv;

  if (command !== 'reset-2fa') {
    err(command ? `Unknown command: ${command}\n` : '');
    err(USAGE);
    return 2;
  }
  const email = Email.safeParse(args[0]);
  if (args.length !== 1 || !email.success) {
    err('reset-2fa needs exactly one email address.\n');
    err(USAGE);
    return 2;
  }

  const closers: Array<() => Promise<void>> = [];
  let endpoint = options.dynamoEndpoint ?? env[ENV.dynamoEndpoint];
  const embedded = !endpoint;
  try {
    if (!endpoint) {
      const dataDir = resolve(options.dataDir ?? env[ENV.dataDir] ?? DEFAULTS.dataDir);
      try {
        const db = await startEmbeddedDynamo({ path: join(dataDir, 'dynamodb') });
        endpoint = db.endpoint;
        closers.push(db.close);
      } catch (e) {
        err(
          `Cannot open the local database in ${dataDir} (${(e as Error).message}).\n` +
            'Is Meldroute running? Stop it first, or set DYNAMODB_ENDPOINT.',
        );
        return 1;
      }
    }
    const doc = documentClient({ endpoint });
    closers.push(async () => doc.destroy());
    const table = options.tableName ?? env[ENV.tableName] ?? DEFAULTS.tableName;
    if (embedded) {
      // The embedded database is locked while `npm start` runs; dynalite then
      // fails outside any promise ("Database is closed"). Turn that into advice.
      let onCrash: ((e: Error) => void) | undefined;
      const crashed = new Promise<never>((_, reject) => {
        onCrash = reject;
        process.once('uncaughtException', reject);
      });
      try {
        await Promise.race([ensureTable(doc, table), crashed]);
      } catch (e) {
        err(
          `Cannot open the local database (${(e as Error).message}).\n` +
            'Is Meldroute running? Stop it first, or set DYNAMODB_ENDPOINT.',
        );
        return 1;
      } finally {
        if (onCrash) process.removeListener('uncaughtException', onCrash);
      }
    } else {
      await ensureTable(doc, table);
    }
    const operator = options.operator ?? env.USER ?? userInfo().username;
    const removed = await resetSecondFactor(
      {
        factors: new DynamoSecondFactorStore(doc, table),
        authAudit: new DynamoAuthAudit(doc, table, () => randomIds.token(9)),
        clock: options.clock ?? systemClock,
      },
      email.data,
      operator,
    );
    out(
      removed
        ? `Second factor removed for ${email.data}. The next sign-in sets up a new authenticator app. Recorded in the audit trail.`
        : `No second factor was set up for ${email.data}; nothing to remove. Recorded in the audit trail.`,
    );
    return 0;
  } catch (e) {
    err(`reset-2fa failed: ${(e as Error).name}: ${(e as Error).message}`);
    return 1;
  } finally {
    for (const close of closers.reverse()) await close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  runAdmin(process.argv.slice(2)).then((code) => process.exit(code));
}
