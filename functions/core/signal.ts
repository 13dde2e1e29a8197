import { z } from 'zod';
import {
  EXPLOITATION_FORM_CODES,
  INDICATOR_CODES,
  PERSON_ROLES,
  VULNERABILITY_CODES,
} from './catalog.ts';

/**
 * The domain model of a signal. zod schemas are the types. What is in clear on
 * the stored item is `SignalRecord` minus its ciphertexts; `ReporterPart` and
 * `ContentPart` are only ever stored encrypted, each as its own ciphertext.
 */

const text = (max: number) => z.string().trim().max(max);
/** Optional text: blank becomes absent, so stored data has no empty strings. */
const optText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .transform((s) => (s ? s : undefined))
    .optional();

export const ReporterPartSchema = z.object({
  name: text(200),
  email: z.string().trim().toLowerCase().max(254),
  phone: optText(40),
  team: optText(120),
  external: z.boolean(),
  discussedWithCoordinator: z.boolean().optional(),
  coordinatorName: optText(200),
});
export type ReporterPart = z.infer<typeof ReporterPartSchema>;

export const PersonSchema = z.object({
  name: optText(200),
  role: z.enum(Object.keys(PERSON_ROLES) as [keyof typeof PERSON_ROLES]),
  ageOrBirthDate: optText(40),
  address: optText(300),
  phone: optText(40),
  email: optText(254),
  notes: optText(2000),
});
export type Person = z.infer<typeof PersonSchema>;

export const OrganisationSchema = z.object({
  name: optText(200),
  kvk: optText(20),
  address: optText(300),
});
export type Organisation = z.infer<typeof OrganisationSchema>;

export const AttachmentMetaSchema = z.object({
  id: z.string(),
  filename: z.string(),
  contentType: z.string(),
  size: z.number().int().nonnegative(),
});
export type AttachmentMeta = z.infer<typeof AttachmentMetaSchema>;

export const ContentPartSchema = z.object({
  persons: z.array(PersonSchema).max(50).default([]),
  organisations: z.array(OrganisationSchema).max(50).default([]),
  location: optText(500),
  observed: text(20000),
  /** Mail channel: the subject line and what could not be read. */
  subject: optText(1000),
  intakeNotes: z.array(z.string()).optional(),
  attachments: z.array(AttachmentMetaSchema).optional(),
});
export type ContentPart = z.infer<typeof ContentPartSchema>;

/** Categorical, non-identifying fields kept in clear for lists and monitoring. */
export const ClassificationSchema = z.object({
  exploitationForm: z.enum(EXPLOITATION_FORM_CODES),
  urgency: z.enum(['normal', 'acute']),
  indicators: z.array(z.enum(INDICATOR_CODES as [string, ...string[]])).default([]),
  vulnerabilities: z.array(z.enum(VULNERABILITY_CODES as [string, ...string[]])).default([]),
  sourceTeam: optText(120),
});
export type Classification = z.infer<typeof ClassificationSchema>;

/** What a reporter submits, whatever the channel. */
export const SignalSubmissionSchema = z.object({
  reporter: ReporterPartSchema,
  content: ContentPartSchema,
  classification: ClassificationSchema,
});
export type SignalSubmission = z.infer<typeof SignalSubmissionSchema>;

export const SIGNAL_STATUSES = {
  received: 'Ontvangen',
  in_progress: 'In behandeling',
  handed_over: 'Doorgezet, wacht op terugkoppeling',
  feedback_received: 'Terugkoppeling ontvangen',
  reporter_informed: 'Melder geïnformeerd',
  closed: 'Afgesloten',
} as const;
export type SignalStatus = keyof typeof SIGNAL_STATUSES;

export type SignalEvent = {
  at: string;
  /** An officer's address, 'melder' (the reporter, never named here) or 'system'. */
  actor: string;
  type: string;
  detail?: string;
};

/** The stored aggregate. Ciphertexts are opaque bytes; everything else is clear. */
export type SignalRecord = {
  id: string;
  reference: string;
  status: SignalStatus;
  channel: 'form' | 'email';
  classification: Classification;
  receivedAt: string;
  updatedAt: string;
  version: number;
  reporterCipher: Uint8Array;
  contentCipher: Uint8Array;
  events: SignalEvent[];
  /** Set when the sender's domain failed SPF/DKIM/DMARC (mail channel). */
  senderUnverified?: boolean;
};

export type SignalSummary = Pick<
  SignalRecord,
  'id' | 'reference' | 'status' | 'channel' | 'classification' | 'receivedAt' | 'senderUnverified'
>;
