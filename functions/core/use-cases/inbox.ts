import type { Config } from '../config.ts';
import { NotFoundError } from '../errors.ts';
import type { Clock, Crypto, InboxPage, InboxQuery, SignalStore, ViewEvent } from '../ports.ts';
import { openJson } from '../sealing.ts';
import {
  type ContentPart,
  ContentPartSchema,
  type ReporterPart,
  ReporterPartSchema,
  type SignalRecord,
} from '../signal.ts';

export type InboxDeps = { config: Config; store: SignalStore; crypto: Crypto; clock: Clock };

export function listInbox(deps: Pick<InboxDeps, 'store'>, query: InboxQuery): Promise<InboxPage> {
  return deps.store.list(query);
}

export type SignalDetail = {
  signal: Omit<SignalRecord, 'reporterCipher' | 'contentCipher'>;
  reporter: ReporterPart;
  content: ContentPart;
  audit: ViewEvent[];
};

/**
 * Step 2: the officer opens a signal. Decrypts the reporter and the content
 * (each context checked) and records the view in the audit trail BEFORE
 * returning anything, so no read of decrypted content goes unrecorded.
 */
export async function viewSignal(
  deps: InboxDeps,
  input: { id: string; actor: string },
): Promise<SignalDetail> {
  const signal = await deps.store.get(input.id);
  if (!signal) throw new NotFoundError('signal not found');
  const municipality = deps.config.municipality.code;
  const [reporter, content] = await Promise.all([
    openJson(
      deps.crypto,
      signal.reporterCipher,
      { municipality, signalId: signal.id, part: 'reporter' },
      ReporterPartSchema,
    ),
    openJson(
      deps.crypto,
      signal.contentCipher,
      { municipality, signalId: signal.id, part: 'content' },
      ContentPartSchema,
    ),
  ]);
  await deps.store.appendAudit(signal.id, {
    at: deps.clock.now().toISOString(),
    actor: input.actor,
    type: 'viewed',
  });
  const audit = await deps.store.listAudit(signal.id);
  const { reporterCipher: _r, contentCipher: _c, ...clear } = signal;
  return { signal: clear, reporter, content, audit };
}
