import { z } from 'zod';

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

export function roleOf(config: Config, address: string): 'officer' | 'staff' | undefined {
  const a = address.trim().toLowerCase();
  if (config.officers.includes(a)) return 'officer';
  const at = a.lastIndexOf('@');
  if (at > 0 && config.staffDomains.includes(a.slice(at + 1))) return 'staff';
  return undefined;
}
