import { z } from 'zod';
import type { Role } from './ports.ts';

const email = z.email().transform((s) => s.toLowerCase());
const domain = z
  .string()
  .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'must be a domain name such as montfoort.nl')
  .transform((s) => s.toLowerCase());

export const PartnerSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes'),
  name: z.string().min(1),
  email,
  /** The policy says the care coordinator is always informed (appendix 4.2, step 4). */
  alwaysInclude: z.boolean().default(false),
  /** Suggestion rules (appendix 4.2, step 4). */
  suggestFor: z.array(z.enum(['acute', 'labour', 'network'])).default([]),
  /** Whether the handover text travels in the email or only behind the link. */
  textInEmail: z.boolean().default(false),
  feedbackWorkingDays: z.number().int().min(1).max(60).default(10),
  reminderEveryWorkingDays: z.number().int().min(1).max(30).default(5),
  remindersBeforeEscalation: z.number().int().min(0).max(10).default(2),
});
export type Partner = z.infer<typeof PartnerSchema>;

/** Where the client secret comes from; the value itself never sits in the config file. */
const SecretSource = z.union([
  z.object({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name') }),
  z.object({ file: z.string().min(1) }),
]);

/** Single sign-on with the municipality's OpenID Connect provider (issue 9). */
export const SsoSchema = z.object({
  /** https, or plain http only for a provider on this machine (the test provider). */
  issuer: z
    .url()
    .refine(
      (u) => u.startsWith('https://') || /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$)/.test(u),
      'must be an https URL (http only for localhost or 127.0.0.1)',
    ),
  clientId: z.string().min(1),
  /** Omit for a public client (PKCE only). */
  clientSecret: SecretSource.optional(),
  /** The ID-token claim that carries the work address. */
  emailClaim: z.string().min(1).default('email'),
  scopes: z.array(z.string().regex(/^[\w:./-]+$/)).default(['openid', 'email', 'profile']),
  /**
   * Roles by group claim. Without it (or for a group not listed) roles come
   * from the address lists below, as for email links.
   */
  groups: z
    .object({
      claim: z.string().min(1).default('groups'),
      officer: z.string().min(1).optional(),
      analyst: z.string().min(1).optional(),
      admin: z.string().min(1).optional(),
    })
    .optional(),
  /** Switch email-link sign-in off for officers, for everybody else ("staff"), or both. */
  emailLink: z
    .object({ officers: z.boolean().default(true), staff: z.boolean().default(true) })
    .prefault({}),
  buttonLabel: z.string().min(1).max(80).default('Aanmelden met uw account van de gemeente'),
});
export type SsoConfig = z.infer<typeof SsoSchema>;

export const ConfigSchema = z
  .object({
    municipality: z.object({
      /** Short stable code used in encryption contexts and exports, e.g. "montfoort". */
      code: z.string().regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes'),
      name: z.string().min(1),
    }),
    /** Where people reach the web app; links in emails start with this. */
    baseUrl: z.url().transform((s) => s.replace(/\/+$/, '')),
    /** Sender of every email Meldroute sends. */
    mailFrom: email,
    /** The dedicated mailbox staff email signals to. */
    mailbox: email,
    staffDomains: z.array(domain).min(1),
    /** Teams a reporter can choose from; kept in clear for the monitoring figures. */
    teams: z
      .array(z.string().min(1).max(80))
      .min(1)
      .default([
        'Publiekszaken / Burgerzaken',
        'Toezicht en handhaving (BOA)',
        'Wmo',
        'Sociaal team',
        'Jeugd',
        'Werk en inkomen',
        'Openbare orde en veiligheid',
        'Vergunningen',
      ]),
    officers: z.array(email).min(1),
    /** Stands in during the officer's absence: officer rights, and receives escalations. */
    deputyOfficer: email.optional(),
    /** Monitoring figures and export only; never signal content. */
    analysts: z.array(email).default([]),
    /** Configuration only; never signal content. */
    admins: z.array(email).default([]),
    sso: SsoSchema.optional(),
    partners: z.array(PartnerSchema).min(1),
    referencePrefix: z
      .string()
      .regex(/^[A-Z]{1,6}$/)
      .default('MH'),
    limits: z
      .object({
        maxMessageBytes: z
          .number()
          .int()
          .positive()
          .default(25 * 1024 * 1024),
        maxFormBytes: z
          .number()
          .int()
          .positive()
          .default(256 * 1024),
      })
      .prefault({}),
    signIn: z
      .object({
        linkMinutes: z.number().int().min(1).max(60).default(10),
        idleMinutes: z.number().int().min(5).max(240).default(30),
        absoluteHours: z.number().int().min(1).max(24).default(12),
        /** Sign-in link requests per address and per client per 15 minutes. */
        requestsPerWindow: z.number().int().min(1).max(100).default(5),
        /** Second-factor attempts per officer per 15 minutes. */
        factorAttemptsPerWindow: z.number().int().min(3).max(20).default(5),
      })
      .prefault({}),
    /** The officer's route (steps 3–6). */
    workflow: z
      .object({
        /** How long a partner's link works; the officer can revoke it earlier. */
        partnerLinkDays: z.number().int().min(1).max(365).default(30),
        /**
         * Bevrijdingsdag (5 May) as a day off every year (many municipalities'
         * agreement) rather than only every fifth year (national rule).
         */
        liberationDayEveryYear: z.boolean().default(true),
      })
      .prefault({}),
    /** Chasing partner feedback and the officers' daily digest (issue 5). */
    reminders: z
      .object({
        /** When the local process runs the job (minute hour day month weekday, Europe/Amsterdam). */
        cron: z
          .string()
          .regex(/^\S+( \S+){4}$/, 'a cron expression with five fields, e.g. "0 8 * * 1-5"')
          .default('0 8 * * 1-5'),
        /** The digest lists signals open longer than this many days. */
        digestOpenLongerThanDays: z.number().int().min(1).max(365).default(30),
      })
      .prefault({}),
    /** Shared figures (issue 6): counts below this are written `<n`. */
    monitoring: z
      .object({ suppressBelow: z.number().int().min(2).max(50).default(5) })
      .prefault({}),
    /** How long data are kept (AVG: no longer than needed). */
    retention: z
      .object({
        /** Years after closing before a signal is erased (its anonymised facts stay). */
        closedSignalYears: z.number().int().min(1).max(20).default(5),
        /** Days a raw mail that never became a signal is kept. */
        unprocessableMailDays: z.number().int().min(1).max(3650).default(90),
      })
      .prefault({}),
  })
  .superRefine((c, ctx) => {
    if (!c.partners.some((p) => p.alwaysInclude)) {
      ctx.addIssue({
        code: 'custom',
        path: ['partners'],
        message: 'at least one partner must have alwaysInclude (the zorgcoördinator)',
      });
    }
    const ids = new Set<string>();
    for (const [i, p] of c.partners.entries()) {
      if (ids.has(p.id))
        ctx.addIssue({ code: 'custom', path: ['partners', i, 'id'], message: 'duplicate id' });
      ids.add(p.id);
    }
  });

export type Config = Readonly<z.infer<typeof ConfigSchema>>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
}

/** Parse once at start; the message names every wrong field by its path. */
export function parseConfig(raw: unknown, source = 'config'): Config {
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map(
      (i) => `  - ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`,
    );
    throw new ConfigError(`Invalid configuration in ${source}:\n${lines.join('\n')}`);
  }
  return deepFreeze(result.data);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** A role by address: officer (or deputy), then admin, analyst, staff by domain. */
export function roleOf(config: Config, address: string): Role | undefined {
  const a = address.trim().toLowerCase();
  if (config.officers.includes(a) || config.deputyOfficer === a) return 'officer';
  if (config.admins.includes(a)) return 'admin';
  if (config.analysts.includes(a)) return 'analyst';
  const at = a.lastIndexOf('@');
  if (at > 0 && config.staffDomains.includes(a.slice(at + 1))) return 'staff';
  return undefined;
}

/** Whether this role may still sign in by email link (SSO can switch it off). */
export function emailLinkAllowed(config: Config, role: Role): boolean {
  if (!config.sso) return true;
  return role === 'officer' ? config.sso.emailLink.officers : config.sso.emailLink.staff;
}

/** Who receives escalations: the officers and, when named, the deputy. */
export function escalationRecipients(config: Config): string[] {
  return [
    ...new Set([...config.officers, ...(config.deputyOfficer ? [config.deputyOfficer] : [])]),
  ];
}
