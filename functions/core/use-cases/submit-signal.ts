import type { Config } from '../config.ts';
import { idFromKey } from '../hashing.ts';
import { indexSignal, type KnownDeps } from '../known/already-known.ts';
import type {
  Clock,
  Crypto,
  EmailRenderer,
  IdGenerator,
  Logger,
  OutgoingEmail,
  SignalStore,
} from '../ports.ts';
import { amsterdamYear, formatReference } from '../reference.ts';
import { sealJson, sealMail } from '../sealing.ts';
import type { SignalRecord, SignalSubmission } from '../signal.ts';

export type SubmitDeps = {
  config: Config;
  store: SignalStore;
  crypto: Crypto;
  clock: Clock;
  ids: IdGenerator;
  render: EmailRenderer;
  /** "Already known" (step 3): when given, the new signal's identifiers are indexed. */
  blindIndex?: KnownDeps['blindIndex'];
  blindIndexStore?: KnownDeps['blindIndexStore'];
  logger?: Logger;
};

export type SubmitInput = {
  submission: SignalSubmission;
  channel: 'form' | 'email';
  /**
   * The same key always yields the same signal: a resent form post or a mail
   * delivered twice is stored once and gets the first answer back.
   */
  idempotencyKey: string;
  senderUnverified?: boolean;
  /** Extra mails to queue with the signal (none for the form). */
  sendReceipt?: boolean;
  /** Reply-To of the receipt (mail intake: a plus-address naming this signal). */
  replyTo?: string;
};

export type SubmitResult = { signalId: string; reference: string; duplicate: boolean };

/**
 * Step 1 → 2 of the route: store a reported signal and queue its mails.
 * Input: a validated submission. Output: the reference number.
 * The reporter's identity and the content are sealed as separate ciphertexts;
 * the receipt (reference only) and the officers' notices (reference and link
 * only) are written into the same item, so storing and queuing succeed or fail
 * together. Mails are sent afterwards by the outbox sweep.
 */
export async function submitSignal(deps: SubmitDeps, input: SubmitInput): Promise<SubmitResult> {
  const { config, store, crypto, clock } = deps;
  const id = idFromKey(input.channel, input.idempotencyKey);
  const municipality = config.municipality.code;
  const { reporter, content, classification } = input.submission;
  // The two parts do not depend on the reference: they are sealed (on AWS, KMS
  // round trips) while the duplicate check and the sequence run. A resent
  // post seals them again for nothing, but finds the first signal's key.
  const sealing = Promise.all([
    sealJson(crypto, reporter, { municipality, signalId: id, part: 'reporter' }, NEW_SIGNAL),
    sealJson(crypto, content, { municipality, signalId: id, part: 'content' }, NEW_SIGNAL),
  ]);
  const existing = await store.get(id).catch(async (err: unknown) => {
    await sealing.catch(() => undefined);
    throw err;
  });
  if (existing) {
    await sealing.catch(() => undefined); // nothing left running behind the answer
    return { signalId: id, reference: existing.reference, duplicate: true };
  }

  const now = clock.now();
  const year = amsterdamYear(now);
  const sequence = await store.nextSequence(year).catch(async (err: unknown) => {
    await sealing.catch(() => undefined);
    throw err;
  });
  const reference = formatReference(config.referencePrefix, year, sequence);
  const at = now.toISOString();

  // Rendering does not wait for the seals either.
  const [[reporterCipher, contentCipher], receipt, notice] = await Promise.all([
    sealing,
    input.sendReceipt !== false && reporter.email
      ? deps.render(input.channel === 'form' ? 'receipt' : 'receipt-email', {
          municipality: config.municipality.name,
          reference,
          baseUrl: config.baseUrl,
        })
      : undefined,
    deps.render('new-signal', {
      municipality: config.municipality.name,
      reference,
      link: `${config.baseUrl}/inbox/${id}`,
      acute: classification.urgency === 'acute',
    }),
  ]);

  const record: SignalRecord = {
    id,
    reference,
    status: 'received',
    channel: input.channel,
    classification: {
      ...classification,
      reporterKind: reporter.external ? 'external' : 'internal',
    },
    receivedAt: at,
    updatedAt: at,
    version: 1,
    reporterCipher,
    contentCipher,
    events: [
      {
        at,
        actor: 'melder',
        type: 'received',
        detail: input.channel === 'form' ? 'via webformulier' : 'via e-mail',
      },
    ],
    ...(input.senderUnverified ? { senderUnverified: true } : {}),
  };

  const mails: OutgoingEmail[] = [];
  if (receipt && reporter.email) {
    mails.push({
      id: `${id}-receipt`,
      to: [reporter.email],
      ...receipt,
      ...(input.replyTo ? { replyTo: input.replyTo } : {}),
      headers: autoSubmitted,
    });
  }
  for (const [i, officer] of config.officers.entries()) {
    mails.push({ id: `${id}-notice-${i}`, to: [officer], ...notice, headers: autoSubmitted });
  }
  const sealed = await Promise.all(mails.map((m) => sealMail(crypto, municipality, id, m)));

  const result = await store.create(record, sealed);
  if (!result.created) {
    return { signalId: id, reference: result.existing.reference, duplicate: true };
  }
  await indexNewSignal(deps, record, content);
  return { signalId: id, reference, duplicate: false };
}

const NEW_SIGNAL = { newSignal: true } as const;

/** RFC 3834: our mails are automatic, so auto-responders must not answer them. */
const autoSubmitted = { 'Auto-Submitted': 'auto-generated' };

/**
 * After the signal is stored, never before: the index is rebuildable
 * (rebuildBlindIndex), so a failure here is logged and the reporter still
 * gets the true answer "stored".
 */
async function indexNewSignal(
  deps: SubmitDeps,
  record: SignalRecord,
  content: SignalSubmission['content'],
) {
  if (!deps.blindIndex || !deps.blindIndexStore) return;
  try {
    await indexSignal(
      { blindIndex: deps.blindIndex, blindIndexStore: deps.blindIndexStore },
      record,
      content,
    );
  } catch (err) {
    deps.logger?.warn('blind index write failed', {
      signalId: record.id,
      error: (err as Error).name,
    });
  }
}
