import type { Config } from '#core/config.ts';
import type {
  AuthStore,
  Clock,
  Crypto,
  EmailRenderer,
  IdGenerator,
  Logger,
  Session,
  SignalStore,
} from '#core/ports.ts';
import type { DevMailbox } from '../routes/dev-mail.tsx';

/** Everything the web app needs; each runtime's composition root fills it. */
export type AppDeps = {
  config: Config;
  store: SignalStore;
  auth: AuthStore;
  crypto: Crypto;
  clock: Clock;
  ids: IdGenerator;
  render: EmailRenderer;
  logger: Logger;
  /** Called after a write that queued mail (locally: sweep the outbox now). */
  afterWrite?: () => void;
  /** Local mode only: the file outbox, shown at /dev/mail. Never set on AWS. */
  devMail?: DevMailbox;
};

export type AppEnv = {
  Variables: {
    session?: Session;
    sessionId?: string;
    csrfToken: string;
    requestId: string;
  };
};
