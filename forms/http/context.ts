import type { Config } from '#core/config.ts';
import type {
  AuthAudit,
  AuthStore,
  BlindIndex,
  BlindIndexStore,
  BlobStore,
  Clock,
  Crypto,
  DigestStore,
  EmailRenderer,
  IdentityProvider,
  IdGenerator,
  LinkSigner,
  Logger,
  RetentionStore,
  SecondFactorStore,
  Session,
  SignalStore,
  WorkLists,
} from '#core/ports.ts';
import type { DevMailbox } from '../routes/dev-mail.tsx';

/** Everything the web app needs; each runtime's composition root fills it. */
export type AppDeps = {
  config: Config;
  store: SignalStore;
  auth: AuthStore;
  /** Officers' second factors (TOTP secrets sealed, recovery codes hashed). */
  factors: SecondFactorStore;
  /** Sign-ins, failures, second-factor events and role denials. */
  authAudit: AuthAudit;
  /** Set when config.sso is: the municipality's OpenID Connect provider. */
  sso?: IdentityProvider;
  crypto: Crypto;
  clock: Clock;
  ids: IdGenerator;
  render: EmailRenderer;
  logger: Logger;
  /** Called after a write that queued mail (locally: sweep the outbox now). */
  afterWrite?: () => void;
  /** Local mode only: the file outbox, shown at /dev/mail. Never set on AWS. */
  devMail?: DevMailbox;
  /**
   * The officer's route (steps 3–6). Without linkSigner and workLists the
   * hand-over, partner and overleg pages are not mounted.
   */
  linkSigner?: LinkSigner;
  workLists?: WorkLists;
  /** "Already known": both set, or the detail page says the lookup is off. */
  blindIndex?: BlindIndex;
  blindIndexStore?: BlindIndexStore;
  /** The officers' digest preference (issue 5): without it the inbox shows no toggle. */
  digests?: DigestStore;
  /** Retention and erasure (issue 6): without both, early erasure answers 503 and erases nothing. */
  retention?: RetentionStore;
  blobs?: BlobStore;
};

export type AppEnv = {
  Variables: {
    session?: Session;
    /** A session still waiting for its second factor: reaches only /tweede-stap. */
    pendingSession?: Session;
    sessionId?: string;
    csrfToken: string;
    requestId: string;
  };
};
