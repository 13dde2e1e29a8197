import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import type { Role } from './ports.ts';

// zod/mini loads no locale: every message of its own would read "Invalid input". Config
// errors name the wrong field for the operator, in zod's English; the pages show only our
// own Dutch texts.
z.config(en());

/** A whole number from `min` to `max`; `fallback` when absent. */
const whole = (min: number, max: number, fallback: number) =>
  z._default(z.int().check(z.minimum(min), z.maximum(max)), fallback);

const lowerCase = (s: string) => s.toLowerCase();
const email = z.pipe(z.email(), z.transform(lowerCase));
const domain = z.pipe(
  z
    .string()
    .check(z.regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'must be a domain name such as montfoort.nl')),
  z.transform(lowerCase),
);

export const PartnerSchema = z.object({
  id: z.string().check(z.regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes')),
  name: z.string().check(z.minLength(1)),
  email,
  /** The policy says the care coordinator is always informed (appendix 4.2, step 4). */
  alwaysInclude: z._default(z.boolean(), false),
  /** Suggestion rules (appendix 4.2, step 4). */
  suggestFor: z._default(z.array(z.enum(['acute', 'labour', 'network'])), []),
  /** Whether the handover text travels in the email or only behind the link. */
  textInEmail: z._default(z.boolean(), false),
  feedbackWorkingDays: whole(1, 60, 10),
  reminderEveryWorkingDays: whole(1, 30, 5),
  remindersBeforeEscalation: whole(0, 10, 2),
});
export type Partner = z.infer<typeof PartnerSchema>;

/** Where the client secret comes from; the value itself never sits in the config file. */
const SecretSource = z.union([
  z.object({
    env: z.string().check(z.regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name')),
  }),
  z.object({ file: z.string().check(z.minLength(1)) }),
]);

/** Single sign-on with the municipality's OpenID Connect provider (issue 9). */
export const SsoSchema = z.object({
  /** https, or plain http only for a provider on this machine (the test provider). */
  issuer: z
    .url()
    .check(
      z.refine(
        (u) =>
          u.startsWith('https://') || /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$)/.test(u),
        'must be an https URL (http only for localhost or 127.0.0.1)',
      ),
    ),
  clientId: z.string().check(z.minLength(1)),
  /** Omit for a public client (PKCE only). */
  clientSecret: z.optional(SecretSource),
  /** The ID-token claim that carries the work address. */
  emailClaim: z._default(z.string().check(z.minLength(1)), 'email'),
  scopes: z._default(z.array(z.string().check(z.regex(/^[\w:./-]+$/))), [
    'openid',
    'email',
    'profile',
  ]),
  /**
   * Roles by group claim. Without it (or for a group not listed) roles come
   * from the address lists below, as for email links.
   */
  groups: z.optional(
    z.object({
      claim: z._default(z.string().check(z.minLength(1)), 'groups'),
      officer: z.optional(z.string().check(z.minLength(1))),
      analyst: z.optional(z.string().check(z.minLength(1))),
      admin: z.optional(z.string().check(z.minLength(1))),
    }),
  ),
  /** Switch email-link sign-in off for officers, for everybody else ("staff"), or both. */
  emailLink: z.prefault(
    z.object({ officers: z._default(z.boolean(), true), staff: z._default(z.boolean(), true) }),
    {},
  ),
  buttonLabel: z._default(
    z.string().check(z.minLength(1), z.maxLength(80)),
    'Aanmelden met uw account van de gemeente',
  ),
});
export type SsoConfig = z.infer<typeof SsoSchema>;

export const ConfigSchema = z
  .object({
    municipality: z.object({
      /** Short stable code used in encryption contexts and exports, e.g. "montfoort". */
      code: z.string().check(z.regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes')),
      name: z.string().check(z.minLength(1)),
    }),
    /** Where people reach the web app; links in emails start with this. */
    baseUrl: z.pipe(
      z.url(),
      z.transform((s) => s.replace(/\/+$/, '')),
    ),
    /** Sender of every email Meldroute sends. */
    mailFrom: email,
    /** The dedicated mailbox staff email signals to. */
    mailbox: email,
    staffDomains: z.array(domain).check(z.minLength(1)),
    /** Teams a reporter can choose from; kept in clear for the monitoring figures. */
    teams: z._default(
      z.array(z.string().check(z.minLength(1), z.maxLength(80))).check(z.minLength(1)),
      [
        'Publiekszaken / Burgerzaken',
        'Toezicht en handhaving (BOA)',
        'Wmo',
        'Sociaal team',
        'Jeugd',
        'Werk en inkomen',
        'Openbare orde en veiligheid',
        'Vergunningen',
      ],
    ),
    officers: z.array(email).check(z.minLength(1)),
    /** Stands in during the officer's absence: officer rights, and receives escalations. */
    deputyOfficer: z.optional(email),
    /** Monitoring figures and export only; never signal content. */
    analysts: z._default(z.array(email), []),
    /** Configuration only; never signal content. */
    admins: z._default(z.array(email), []),
    sso: z.optional(SsoSchema),
    partners: z.array(PartnerSchema).check(z.minLength(1)),
    referencePrefix: z._default(z.string().check(z.regex(/^[A-Z]{1,6}$/)), 'MH'),
    limits: z.prefault(
      z.object({
        maxMessageBytes: z._default(z.int().check(z.positive()), 25 * 1024 * 1024),
        maxFormBytes: z._default(z.int().check(z.positive()), 256 * 1024),
      }),
      {},
    ),
    signIn: z.prefault(
      z.object({
        linkMinutes: whole(1, 60, 10),
        idleMinutes: whole(5, 240, 30),
        absoluteHours: whole(1, 24, 12),
        /** Sign-in link requests per address and per client per 15 minutes. */
        requestsPerWindow: whole(1, 100, 5),
        /** Second-factor attempts per officer per 15 minutes. */
        factorAttemptsPerWindow: whole(3, 20, 5),
      }),
      {},
    ),
    /** The officer's route (steps 3–6). */
    workflow: z.prefault(
      z.object({
        /** How long a partner's link works; the officer can revoke it earlier. */
        partnerLinkDays: whole(1, 365, 30),
        /**
         * Bevrijdingsdag (5 May) as a day off every year (many municipalities'
         * agreement) rather than only every fifth year (national rule).
         */
        liberationDayEveryYear: z._default(z.boolean(), true),
      }),
      {},
    ),
    /** Chasing partner feedback and the officers' daily digest (issue 5). */
    reminders: z.prefault(
      z.object({
        /** When the local process runs the job (minute hour day month weekday, Europe/Amsterdam). */
        cron: z._default(
          z
            .string()
            .check(
              z.regex(/^\S+( \S+){4}$/, 'a cron expression with five fields, e.g. "0 8 * * 1-5"'),
            ),
          '0 8 * * 1-5',
        ),
        /** The digest lists signals open longer than this many days. */
        digestOpenLongerThanDays: whole(1, 365, 30),
      }),
      {},
    ),
    /** Shared figures (issue 6): counts below this are written `<n`. */
    monitoring: z.prefault(z.object({ suppressBelow: whole(2, 50, 5) }), {}),
    /** How long data are kept (AVG: no longer than needed). */
    retention: z.prefault(
      z.object({
        /** Years after closing before a signal is erased (its anonymised facts stay). */
        closedSignalYears: whole(1, 20, 5),
        /** Days a raw mail that never became a signal is kept. */
        unprocessableMailDays: whole(1, 3650, 90),
      }),
      {},
    ),
  })
  .check(
    z.superRefine((c, ctx) => {
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
    }),
  );

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
