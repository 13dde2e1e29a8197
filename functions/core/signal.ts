import * as z from 'zod/mini';
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

const text = (max: number) => z.string().check(z.trim(), z.maxLength(max));
/** Optional text: blank becomes absent, so stored data has no empty strings. */
const optText = (max: number) =>
  z.optional(
    z.pipe(
      text(max),
      z.transform((s) => (s ? s : undefined)),
    ),
  );

export const ReporterPartSchema = z.object({
  name: text(200),
  email: z.string().check(z.trim(), z.toLowerCase(), z.maxLength(254)),
  phone: optText(40),
  team: optText(120),
  external: z.boolean(),
  discussedWithCoordinator: z.optional(z.boolean()),
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
  size: z.int().check(z.nonnegative()),
});
export type AttachmentMeta = z.infer<typeof AttachmentMetaSchema>;

export const ContentPartSchema = z.object({
  persons: z._default(z.array(PersonSchema).check(z.maxLength(50)), []),
  organisations: z._default(z.array(OrganisationSchema).check(z.maxLength(50)), []),
  location: optText(500),
  observed: text(20000),
  /** Mail channel: the subject line and what could not be read. */
  subject: optText(1000),
  intakeNotes: z.optional(z.array(z.string())),
  attachments: z.optional(z.array(AttachmentMetaSchema)),
});
export type ContentPart = z.infer<typeof ContentPartSchema>;

/** Categorical, non-identifying fields kept in clear for lists and monitoring. */
export const ClassificationSchema = z.object({
  exploitationForm: z.enum(EXPLOITATION_FORM_CODES),
  urgency: z.enum(['normal', 'acute']),
  indicators: z._default(z.array(z.enum(INDICATOR_CODES as [string, ...string[]])), []),
  vulnerabilities: z._default(z.array(z.enum(VULNERABILITY_CODES as [string, ...string[]])), []),
  sourceTeam: optText(120),
  /**
   * Monitoring needs internal vs external without decrypting the reporter:
   * submitSignal copies it from `reporter.external`. Optional in the type so
   * existing callers need not change; absent reads as 'internal'
   * (see monitoring/facts.ts reporterKindOf).
   */
  reporterKind: z.optional(z.enum(['internal', 'external'])),
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
  // ---- the officer's route, steps 3–6 (absent on signals nobody has worked yet)
  /** Free tags for monitoring; short codes, never names (checked on input). */
  tags?: string[];
  /** Append-only: a correction is a new note. Each sealed under `note:<n>`. */
  notes?: Note[];
  /** On the agenda of the next ondermijningsoverleg; summary sealed under `agenda`. */
  agenda?: AgendaEntry;
  handovers?: Handover[];
  /** What was shared with whom, when, by whom and why (AVG register). */
  disclosures?: Disclosure[];
  /** Feedback mails to the reporter, each sealed under `reporter-feedback:<n>`. */
  reporterFeedback?: SealedText[];
  outcome?: Outcome;
  closedAt?: string;
};

export type SealedText = { n: number; at: string; by: string; cipher: Uint8Array };
export type Note = SealedText;
export type AgendaEntry = { at: string; by: string; cipher: Uint8Array };

export const HANDOVER_STATES = {
  open: 'Wacht op terugkoppeling',
  feedback_received: 'Terugkoppeling ontvangen',
  no_response: 'Afgesloten zonder reactie',
  withdrawn: 'Ingetrokken',
} as const;
export type HandoverState = keyof typeof HANDOVER_STATES;

/** One partner's copy of a signal. Clear fields are categorical; texts are sealed. */
export type Handover = {
  /** `h1`, `h2`, …: unique within the signal. */
  id: string;
  partnerId: string;
  state: HandoverState;
  sentAt: string;
  sentBy: string;
  /** Feedback due date, yyyy-mm-dd (Amsterdam), in the partner's working days. */
  dueDate: string;
  /** Bumped to revoke every earlier link of this handover. */
  tokenVersion: number;
  tokenExpiresAt: string;
  textInEmail: boolean;
  /** {text, overrideReason?} sealed under `handover:<id>`. */
  textCipher: Uint8Array;
  /** Each sealed under `feedback:<id>:<n>`. */
  /** `key` makes a redelivered email reply count once. */
  feedback: (SealedText & { via: 'page' | 'email'; key?: string })[];
  history: SignalEvent[];
  // ---- reminders (issue 5; absent on handovers nobody has chased yet)
  /** Reminders of the current chase; `on` (Amsterdam date) makes a second run the same day a no-op. */
  reminders?: ReminderRecord[];
  /** Bumped by a new due date: the chase starts again and its mail ids stay unique. */
  chase?: number;
  /** Set when chasing ended without an answer and the officers were told. */
  overdueSince?: string;
  /** The officer paused the chase; the reason is a sealed note. */
  paused?: { at: string; by: string };
  /** SES reported that a mail to the partner bounced for good or was marked as spam (issue 7). */
  mailProblem?: MailProblem;
};

export const MAIL_PROBLEMS = {
  bounce: 'E-mail aan deze partner kwam niet aan (adres onbekend)',
  complaint: 'De partner heeft een e-mail van ons als ongewenst (spam) gemeld',
} as const;
export type MailProblemKind = keyof typeof MAIL_PROBLEMS;
/** `mailId` (an id of ours, no address) makes a redelivered SES event count once. */
export type MailProblem = { at: string; kind: MailProblemKind; mailId: string };

export type ReminderRecord = { n: number; on: string; at: string };

export const DISCLOSED_PARTS = {
  reference: 'Meldnummer',
  urgency: 'Urgentie',
  handover_text: 'Overdrachtstekst (door de aandachtsfunctionaris opgesteld)',
} as const;

export type Disclosure = {
  at: string;
  by: string;
  partnerId: string;
  handoverId: string;
  parts: (keyof typeof DISCLOSED_PARTS)[];
  /** Whether the text travelled in the email itself or only behind the link. */
  channel: 'link' | 'email_and_link';
  purpose: string;
};

export const OUTCOMES = {
  handed_over: 'Doorgezet naar ketenpartner(s)',
  overleg: 'Besproken in het ondermijningsoverleg',
  no_follow_up: 'Geen vervolg',
  merged: 'Samengevoegd met een ander signaal',
} as const;
export type Outcome = keyof typeof OUTCOMES;

export type SignalSummary = Pick<
  SignalRecord,
  'id' | 'reference' | 'status' | 'channel' | 'classification' | 'receivedAt' | 'senderUnverified'
>;
