import type { MonitoringFacts } from './monitoring/facts.ts';
import type { AgendaEntry, SignalRecord, SignalStatus, SignalSummary } from './signal.ts';

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

/** What a seal may know beyond its context (never sent to KMS). */
export type SealOptions = {
  /**
   * The part belongs to a signal being created now, so a key made for that
   * signal alone can be written without first looking for one (a resent form
   * still finds the first one, through the conditional write).
   */
  newSignal?: boolean;
};

export interface Crypto {
  encrypt(
    plain: Uint8Array,
    context: EncryptionContext,
    options?: SealOptions,
  ): Promise<Uint8Array>;
  /** Fails with DecryptionError when the stored context differs from `context`. */
  decrypt(cipher: Uint8Array, context: EncryptionContext): Promise<Uint8Array>;
}

/**
 * A signal's own data key, stored only wrapped (sealed by the Crypto port
 * under part `signal-key`) next to the signal (docs/adr/0016). Written once:
 * the first writer wins, and erasing the signal deletes it.
 */
export interface SignalKeyStore {
  get(signalId: string): Promise<Uint8Array | undefined>;
  /** Conditional create; returns the key now stored: ours, or the one another writer stored first. */
  putIfAbsent(signalId: string, wrapped: Uint8Array): Promise<Uint8Array>;
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
export type OwnerKind = 'signal' | 'login' | 'digest';

export interface OutboxStore {
  /**
   * Mails still to send across all items, oldest first, read through a sparse
   * index: pending ones, and claimed ones whose claim is older than `staleBefore`
   * (a sender that crashed mid-send).
   */
  listPending(limit: number, staleBefore: string): Promise<PendingMail[]>;
  /**
   * Conditional: one sender wins the claim. Returns the sealed mail as the
   * owner item holds it now, which is what gets sent (a list read through an
   * index may be older than the item); undefined when another sender has it.
   */
  claim(
    ownerKind: OwnerKind,
    ownerId: string,
    mailId: string,
    at: string,
    staleBefore: string,
  ): Promise<Uint8Array | undefined>;
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
  /**
   * Monitoring (issue 6): the clear facts of every signal received in
   * [fromIso, toIso), erased ones (remnants) included, read through the
   * received-date index: never a table scan, never a ciphertext.
   */
  listForPeriod(fromIso: string, toIso: string): Promise<MonitoringFacts[]>;
}

/**
 * staff: report, see own receipts. officer: inbox and workflow. analyst:
 * monitoring and export only. admin: configuration only. Neither analyst nor
 * admin ever sees signal content.
 */
export type Role = 'staff' | 'officer' | 'analyst' | 'admin';

/** How a session was started; officers signed in by email link also need a second factor. */
export type SignInMethod = 'link' | 'sso';

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
  method?: SignInMethod;
  /**
   * Set until the second factor is given: such a session reaches only the
   * second-factor pages and sign-out, never a page with data.
   */
  pendingFactor?: boolean;
};

/** One sign-in with the identity provider in progress, keyed by the hash of a browser cookie. */
export type SsoFlow = {
  idHash: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo?: string;
  expiresAt: string;
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
  putSsoFlow(flow: SsoFlow): Promise<void>;
  /** Single use, like a login token: returns the flow once, then never again. */
  consumeSsoFlow(idHash: string): Promise<SsoFlow | undefined>;
}

/**
 * An officer's second factor. The TOTP secret is only ever stored sealed
 * (Crypto port); recovery codes only as hashes.
 */
export type SecondFactor = {
  /** sha256 of the lower-case address: the key, so no address is a key in clear. */
  emailHash: string;
  kind: 'totp';
  /** 'enrolling' until the officer confirmed a first code. */
  state: 'enrolling' | 'active';
  secretCipher: Uint8Array;
  /** The last accepted time step: a code is never accepted twice. */
  lastStep: number;
  recoveryHashes: string[];
  createdAt: string;
  confirmedAt?: string;
};

export interface SecondFactorStore {
  get(emailHash: string): Promise<SecondFactor | undefined>;
  /** Starts (or restarts) an enrolment; false when an active factor exists. */
  putEnrolment(factor: SecondFactor): Promise<boolean>;
  /** Conditional on the same enrolment still pending: makes it active. */
  activate(
    emailHash: string,
    secretCipher: Uint8Array,
    step: number,
    recoveryHashes: string[],
    at: string,
  ): Promise<boolean>;
  /** Conditional on `step` being later than the last accepted one. */
  useStep(emailHash: string, step: number): Promise<boolean>;
  /** Conditional: removes one recovery code hash; false when it is not (or no longer) there. */
  useRecoveryCode(emailHash: string, codeHash: string): Promise<boolean>;
  /** Removes the factor; true when there was one. */
  delete(emailHash: string): Promise<boolean>;
}

export type AuthEventType =
  | 'sign-in'
  | 'sign-in-failed'
  | 'second-factor'
  | 'second-factor-failed'
  | 'second-factor-enrolled'
  | 'second-factor-reset'
  | 'role-denied'
  | 'sign-out';

/** One entry in the sign-in audit trail. Never a code, token or secret. */
export type AuthEvent = {
  at: string;
  type: AuthEventType;
  /** The address, when known (audit trail, not logs). */
  actor?: string;
  role?: Role;
  method?: SignInMethod | 'totp' | 'recovery-code' | 'cli';
  /** A stable reason code, e.g. 'state', 'nonce', 'audience', 'rate-limited'. */
  reason?: string;
  /** The path asked for, on a role denial. */
  path?: string;
};

/** Append-only: separate items per month so a month can be read or exported alone. */
export interface AuthAudit {
  append(event: AuthEvent): Promise<void>;
  /** Events of one month (`yyyy-mm`), oldest first. */
  list(month: string): Promise<AuthEvent[]>;
}

export type SsoStart = { url: string; state: string; nonce: string; codeVerifier: string };

/** Why the identity provider's answer was refused; stable codes for the audit trail. */
export type SsoFailure =
  | 'state'
  | 'nonce'
  | 'audience'
  | 'issuer'
  | 'expired'
  | 'signature'
  | 'code'
  | 'provider-error'
  | 'invalid-response'
  | 'unavailable';

export type SsoResult =
  | { ok: true; claims: Record<string, unknown> }
  | { ok: false; reason: SsoFailure };

/** The municipality's OpenID Connect provider (authorization code flow with PKCE). */
export interface IdentityProvider {
  /** A fresh state, nonce and PKCE verifier, and the URL to send the browser to. */
  start(): Promise<SsoStart>;
  /**
   * Exchanges the code in the callback URL and verifies the ID token
   * (signature, issuer, audience, expiry, nonce). Never throws for a bad answer.
   */
  finish(
    callbackUrl: URL,
    expected: { state: string; nonce: string; codeVerifier: string },
  ): Promise<SsoResult>;
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

// ---- the officer's route (issue 4) --------------------------------------------

/** What kind of identifier two signals share ("already known", step 3). */
export type IdentifierKind = 'person' | 'organisation' | 'address' | 'phone' | 'email' | 'plate';

/**
 * Blind index: a keyed hash (HMAC with its own key, never the data key) of a
 * normalised identifier. Equal inputs give equal outputs; without the key the
 * output says nothing about the input.
 */
export interface BlindIndex {
  compute(kind: IdentifierKind, normalised: string): string;
}

/** One blind-index entry: this signal carries an identifier with this hash. */
export type BlindIndexEntry = {
  hmac: string;
  kind: IdentifierKind;
  signalId: string;
  /** Clear, non-identifying: so a match can be listed without reading the signal. */
  reference: string;
  receivedAt: string;
};

/** Separate small items, rebuildable from the signals: puts are idempotent. */
export interface BlindIndexStore {
  put(entries: readonly BlindIndexEntry[]): Promise<void>;
  /** Signals carrying this hash: one query, never a scan. */
  query(hmac: string, limit: number): Promise<BlindIndexEntry[]>;
}

/** Signs partner links (HMAC with its own key). */
export interface LinkSigner {
  sign(payload: string): Uint8Array;
}

/** Work lists read through sparse indexes: cost grows with what is listed, not with what is stored. */
export interface WorkLists {
  /** Signals on the next overleg's agenda, oldest first. */
  agenda(limit: number): Promise<{ signalId: string; reference: string; agenda: AgendaEntry }[]>;
  /**
   * Signals whose earliest open handover is due on or before `date`
   * (yyyy-mm-dd), earliest first: what the reminder job reads.
   */
  dueBy(
    date: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: { signalId: string; dueDate: string }[]; cursor?: string }>;
}

// ---- reminders and the daily digest (issue 5) ---------------------------------

/**
 * The officers' digest: each officer's own choice (keyed by the hash of the
 * address, never the address), and one item per working day that carries
 * that day's digest mails, so a second run the same day sends nothing.
 */
export interface DigestStore {
  /** Absent means on: a new officer gets the digest until turning it off. */
  isEnabled(officerHash: string): Promise<boolean>;
  setEnabled(officerHash: string, enabled: boolean, at: string): Promise<void>;
  /** Conditional create of the day's item with its mails; false when that day already has one. */
  record(date: string, mails: SealedMail[], at: string): Promise<boolean>;
}

// ---- retention and erasure (issue 6) ------------------------------------------

/** What survives an erasure: no content, no reference, no history, only the facts and who erased it why. */
export type Remnant = {
  id: string;
  receivedAt: string;
  facts: MonitoringFacts;
  erasedAt: string;
  /** An officer's address, or 'system' for the retention job. */
  erasedBy: string;
  /** A code from ERASURE_REASONS, never free text (it must not carry content). */
  reason: string;
};

export type ClosedSignalRef = { id: string; closedAt: string };

export interface RetentionStore {
  /** Closed signals received before `receivedBefore` (a closed signal was received before it closed). */
  listClosed(receivedBefore: string): Promise<ClosedSignalRef[]>;
  /**
   * Replaces the signal item by its remnant in ONE conditional write (version
   * unchanged): ciphertexts, handovers, notes, events and queued mail go in
   * the same write. False when the signal changed meanwhile.
   */
  replaceWithRemnant(remnant: Remnant, expectedVersion: number): Promise<boolean>;
  getRemnant(id: string): Promise<Remnant | undefined>;
  /** Deletes every other item that names these signals (blind-index entries and the like). */
  deleteRelatedItems(signalIds: readonly string[]): Promise<number>;
  /** Remnants, or only those whose blobs and related items may still exist (a crash mid-erasure). */
  listRemnantIds(onlyPendingCleanup?: boolean): Promise<string[]>;
  markCleaned(id: string): Promise<void>;
}
