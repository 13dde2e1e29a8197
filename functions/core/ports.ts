import type { SignalRecord, SignalStatus, SignalSummary } from './signal.ts';

/**
 * Ports: what the core needs from the outside world, named by capability.
 * Adapters (functions/adapters/) implement them by technology.
 */

export type EncryptionContext = {
  /** Municipality code (never personal data: KMS logs the context). */
  municipality: string;
  /** The signal (or other owner item) the ciphertext belongs to. */
  signalId: string;
  /** Which part: 'reporter', 'content', 'mail', 'note', ... */
  part: string;
};

export interface Crypto {
  encrypt(plain: Uint8Array, context: EncryptionContext): Promise<Uint8Array>;
  /** Fails with DecryptionError when the stored context differs from `context`. */
  decrypt(cipher: Uint8Array, context: EncryptionContext): Promise<Uint8Array>;
}

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  /** Time-sortable unique id (ULID-like). */
  id(): string;
  /** Url-safe random token with at least `bytes`×8 bits of entropy. */
  token(bytes?: number): string;
}

/** An email ready to send: the adapter turns it into MIME. */
export type OutgoingEmail = {
  /** Stable id; adapters use it to make sending idempotent where they can. */
  id: string;
  to: string[];
  subject: string;
  html: string;
  text: string;
  replyTo?: string;
  /** Extra headers, e.g. Auto-Submitted. Values are set by us, never by users. */
  headers?: Record<string, string>;
};

export interface Mailer {
  send(mail: OutgoingEmail): Promise<void>;
}

/** An email waiting in an item's outbox, sealed under {owner, part: 'mail'}. */
export type SealedMail = { mailId: string; cipher: Uint8Array };
export type PendingMail = SealedMail & { ownerId: string; ownerKind: OwnerKind };
export type OwnerKind = 'signal' | 'login';

export interface OutboxStore {
  /**
   * Mails still to send across all items, oldest first, read through a sparse
   * index: pending ones, and claimed ones whose claim is older than `staleBefore`
   * (a sender that crashed mid-send).
   */
  listPending(limit: number, staleBefore: string): Promise<PendingMail[]>;
  /** Conditional: one sender wins the claim; false when another has it. */
  claim(
    ownerKind: OwnerKind,
    ownerId: string,
    mailId: string,
    at: string,
    staleBefore: string,
  ): Promise<boolean>;
  /** Conditional on our claim; leaves the sparse index when nothing else is pending. */
  markSent(ownerKind: OwnerKind, ownerId: string, mailId: string, at: string): Promise<boolean>;
}

export type InboxQuery = { status?: SignalStatus; limit: number; cursor?: string };
export type InboxPage = { items: SignalSummary[]; cursor?: string };

export type ViewEvent = { at: string; actor: string; type: string; detail?: string };

export interface SignalStore {
  /** Atomically hands out the next sequence number for a year (gaps allowed, no duplicates). */
  nextSequence(year: number): Promise<number>;
  /**
   * Conditional create: a signal with the same id already stored is returned
   * instead (idempotent resubmission), nothing is overwritten.
   */
  create(
    signal: SignalRecord,
    mails: SealedMail[],
  ): Promise<{ created: true } | { created: false; existing: SignalRecord }>;
  get(id: string): Promise<SignalRecord | undefined>;
  /** Version-checked write of a changed aggregate; false when someone else changed it first. */
  update(signal: SignalRecord, expectedVersion: number, mails?: SealedMail[]): Promise<boolean>;
  list(query: InboxQuery): Promise<InboxPage>;
  /** Append-only audit items (views of decrypted content, downloads). */
  appendAudit(signalId: string, event: ViewEvent): Promise<void>;
  listAudit(signalId: string): Promise<ViewEvent[]>;
}

export type Role = 'staff' | 'officer';

export type LoginToken = {
  tokenHash: string;
  email: string;
  role: Role;
  expiresAt: string;
};

export type Session = {
  idHash: string;
  email: string;
  role: Role;
  csrfSecret: string;
  createdAt: string;
  lastSeenAt: string;
};

export interface AuthStore {
  putLoginToken(token: LoginToken, mail: SealedMail): Promise<void>;
  /** Single use: returns the token once (conditional delete), then never again. */
  consumeLoginToken(tokenHash: string): Promise<LoginToken | undefined>;
  peekLoginToken(tokenHash: string): Promise<LoginToken | undefined>;
  putSession(session: Session): Promise<void>;
  getSession(idHash: string): Promise<Session | undefined>;
  touchSession(idHash: string, lastSeenAt: string): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  /** Counts one hit in a fixed window and returns the count so far. */
  hit(key: string, windowStart: string, expiresAt: string): Promise<number>;
}

export interface BlobStore {
  /** Write once; resolves only when the bytes are durable. */
  put(key: string, bytes: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array | undefined>;
  delete(key: string): Promise<void>;
  list(prefix: string): Promise<string[]>;
}

export type RenderedEmail = { subject: string; html: string; text: string };
/** Fills a precompiled email template; validates `data` against the template's schema. */
export type EmailRenderer = (
  template: string,
  data: Record<string, unknown>,
) => Promise<RenderedEmail>;

/** Structured logs: ids, references and codes only, never personal data. */
export interface Logger {
  info(message: string, fields?: Record<string, string | number | boolean>): void;
  warn(message: string, fields?: Record<string, string | number | boolean>): void;
  error(message: string, fields?: Record<string, string | number | boolean>): void;
}

// ---- mail intake (issue 3) ---------------------------------------------------

/**
 * Turns raw RFC 5322 bytes into the core's ParsedMessage (functions/core/mail/
 * parsed-message.ts). Adapters bound the work a message can cause (nesting,
 * header size, time) and record what they could not read in `problems`; they
 * throw only when nothing at all could be read.
 */
export interface MailParser {
  parse(raw: Uint8Array): Promise<unknown>;
}

/**
 * Plus-address tokens (`mailbox+<token>@domain`) that name a signal, so a reply
 * to a receipt finds its signal. Unforgeable without the adapter's key.
 */
export interface ReplyTokens {
  /** undefined when this id cannot be put in a token. */
  issue(signalId: string): string | undefined;
  /** The signal id, or undefined when the token is not one we issued. */
  verify(token: string): string | undefined;
}

/** Finds the signal a reply's subject refers to. */
export interface SignalDirectory {
  /** The id of the signal with this reference number, if any. */
  findByReference(reference: string): Promise<string | undefined>;
}
