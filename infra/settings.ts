import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { type Config, parseConfig } from '#core/config.ts';

/**
 * The deployment's settings: CDK context values (cdk.json or `-c key=value`)
 * plus the municipality config file they point at. Parsed once at synth, so a
 * wrong value stops `cdk synth` with a message naming it, long before a
 * half-finished deploy.
 */

// zod/mini loads no locale: a wrong context value is reported with zod's English message.
z.config(en());

const domain = z.pipe(
  z
    .string()
    .check(
      z.regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'must be a domain name such as meldpunt.montfoort.nl'),
    ),
  z.transform((s) => s.toLowerCase()),
);
const flag = z.union([
  z.boolean(),
  z.pipe(
    z.enum(['true', 'false']),
    z.transform((s) => s === 'true'),
  ),
]);
/** A whole number from `min` to `max`, also when it comes as text (`-c key=value`). */
const whole = (min: number, max: number) =>
  z.coerce.number().check(z.int(), z.minimum(min), z.maximum(max));

export const ContextSchema = z
  .object({
    /** The municipality config file (JSON, see config/montfoort.example.json). */
    configFile: z._default(z.string().check(z.minLength(1)), 'config/montfoort.example.json'),
    /** The domain of the dedicated mailbox; SES receives mail for it. Defaults to the mailbox's domain. */
    mailboxDomain: z.optional(domain),
    /** Officer addresses (comma-separated) that replace `officers` in the config file. */
    officers: z.optional(z.string()),
    /** Route 53 hosted zone for the mailbox domain: when given, MX and DKIM records are created. */
    hostedZoneId: z.optional(z.string()),
    hostedZoneName: z.optional(domain),
    /** Custom domain for the web app, with an ACM certificate in the same region. */
    webDomain: z.optional(domain),
    certificateArn: z.optional(z.string().check(z.startsWith('arn:aws:acm:'))),
    /** Where alarms are emailed (the administrator). */
    alarmEmail: z.optional(z.email()),
    /** New AWS accounts have a concurrency quota of 10 and cannot reserve any: set false there. */
    reservedConcurrency: z._default(flag, true),
    logRetentionDays: z._default(
      z.coerce.number().check(
        z.refine((d) => (Object.values(RetentionDays) as unknown[]).includes(d), {
          message: 'must be a CloudWatch Logs retention such as 30, 90, 180, 365, 731',
        }),
      ),
      180,
    ),
    /** Raw mail is parsed into an encrypted signal within seconds; the copy is kept this long. */
    rawMailDays: z._default(whole(1, 3650), 30),
    /** Overwritten and deleted object versions are kept this long (recovery from mistakes). */
    noncurrentVersionDays: z._default(whole(1, 3650), 30),
    /** API Gateway throttling for the whole web app. */
    webRateLimit: z._default(whole(1, 10_000), 20),
    webBurstLimit: z._default(whole(1, 5_000), 40),
  })
  .check(
    z.superRefine((c, ctx) => {
      if (Boolean(c.hostedZoneId) !== Boolean(c.hostedZoneName)) {
        ctx.addIssue({
          code: 'custom',
          path: ['hostedZoneId'],
          message: 'hostedZoneId and hostedZoneName go together',
        });
      }
      if (Boolean(c.webDomain) !== Boolean(c.certificateArn)) {
        ctx.addIssue({
          code: 'custom',
          path: ['webDomain'],
          message: 'webDomain needs certificateArn (and the other way round)',
        });
      }
    }),
  );

export type Settings = Readonly<
  z.infer<typeof ContextSchema> & {
    config: Config;
    /** The config as the Lambdas read it (bundled as config.json). */
    configJson: string;
    mailboxDomain: string;
    /** Domains SES must verify: the mailbox's and the sender's. */
    identityDomains: string[];
    /** Stack name prefix: one deployment per municipality. */
    prefix: string;
  }
>;

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

const KEYS = Object.keys(ContextSchema.shape) as (keyof typeof ContextSchema.shape)[];

/** Reads every context key this app knows from the construct tree. */
export function readContext(node: Node): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const k of KEYS) {
    const v = node.tryGetContext(k);
    if (v !== undefined && v !== '') raw[k] = v;
  }
  return raw;
}

export function loadSettings(raw: Record<string, unknown>, cwd = process.cwd()): Settings {
  const parsed = ContextSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`,
    );
    throw new SettingsError(`Invalid CDK context:\n${lines.join('\n')}`);
  }
  const ctx = parsed.data;
  const file = resolve(cwd, ctx.configFile);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SettingsError(`Cannot read configFile ${file}: ${(err as Error).message}`);
  }
  if (ctx.officers !== undefined && json && typeof json === 'object') {
    json = { ...json, officers: ctx.officers.split(',').map((s) => s.trim()) };
  }
  if (ctx.webDomain && json && typeof json === 'object') {
    json = { ...json, baseUrl: `https://${ctx.webDomain}` };
  }
  const config = parseConfig(json, file);
  if (config.sso) {
    // Its client secret would come from an env var or a file; on AWS it belongs in
    // Secrets Manager, which the web composition root does not read yet.
    throw new SettingsError(
      `${file}: single sign-on (sso) is not yet supported on AWS; remove it or run locally`,
    );
  }

  const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1);
  const mailboxDomain = ctx.mailboxDomain ?? domainOf(config.mailbox);
  if (domainOf(config.mailbox) !== mailboxDomain) {
    throw new SettingsError(
      `The config's mailbox ${config.mailbox} is not at mailboxDomain ${mailboxDomain}`,
    );
  }
  if (ctx.hostedZoneName && !`.${mailboxDomain}`.endsWith(`.${ctx.hostedZoneName}`)) {
    throw new SettingsError(
      `mailboxDomain ${mailboxDomain} is not in hosted zone ${ctx.hostedZoneName}`,
    );
  }
  const identityDomains = [...new Set([mailboxDomain, domainOf(config.mailFrom)])];
  return Object.freeze({
    ...ctx,
    config,
    configJson: JSON.stringify(config),
    mailboxDomain,
    identityDomains,
    prefix: `Meldroute-${config.municipality.code}`,
  });
}
