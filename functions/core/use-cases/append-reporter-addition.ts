import * as z from 'zod/mini';
import type { Config } from '../config.ts';
import { ConflictError } from '../errors.ts';
import { blobKeys, contexts } from '../mail/raw-mail.ts';
import type { AttachmentToStore } from '../mail/to-submission.ts';
import type { BlobStore, Clock, Crypto, EmailRenderer, SignalStore } from '../ports.ts';
import { openJson, sealJson, sealMail } from '../sealing.ts';
import { AttachmentMetaSchema, type SignalRecord } from '../signal.ts';

export type AdditionDeps = {
  config: Config;
  store: SignalStore;
  crypto: Crypto;
  clock: Clock;
  blobs: BlobStore;
  render: EmailRenderer;
};

/** What a reporter added later, sealed as its own part (`part: 'addition'`). */
export const ReporterAdditionSchema = z.object({
  id: z.string(),
  at: z.string(),
  via: z.enum(['email']),
  subject: z.optional(z.string()),
  text: z.string(),
  intakeNotes: z._default(z.array(z.string()), []),
  attachments: z._default(z.array(AttachmentMetaSchema), []),
});
export type ReporterAddition = z.infer<typeof ReporterAdditionSchema>;

export const ADDITION_EVENT = 'reporter_addition';
export const ADDITION_ID = /^x[a-z0-9]{8,40}$/;

export type AdditionInput = {
  signalId: string;
  /** Deterministic (from the mail's idempotency key): a redelivered reply is added once. */
  additionId: string;
  subject?: string;
  text: string;
  intakeNotes?: string[];
  attachments: AttachmentToStore[];
};

export type AdditionResult =
  | { added: true; signalId: string; reference: string; duplicate: boolean }
  | { added: false; reason: 'not-found' };

/**
 * A reporter's reply to their own signal (step 2: the AF sees it with the
 * signal). Input: the signal and the reply's text and attachments. The text,
 * with the list of its attachments, is sealed as a new part in the BlobStore
 * (`additions/<signalId>/<additionId>`), the attachments are stored beside the
 * signal's own, and a `reporter_addition` event naming the addition (never its
 * content) goes on the signal with a version-checked update, retried when
 * someone else wrote first. The officers are told in the same write (a notice
 * with the reference and a link, never the content), so an officer who looks
 * in once a week does not miss it. Nothing is decrypted: the intake may only
 * seal.
 */
export async function appendReporterAddition(
  deps: AdditionDeps,
  input: AdditionInput,
): Promise<AdditionResult> {
  if (!ADDITION_ID.test(input.additionId)) throw new Error('invalid addition id');
  const municipality = deps.config.municipality.code;
  const first = await deps.store.get(input.signalId);
  if (!first) return { added: false, reason: 'not-found' };
  if (hasAddition(first, input.additionId)) {
    return { added: true, signalId: first.id, reference: first.reference, duplicate: true };
  }

  const attachments = input.attachments.map((a) => ({
    ...a,
    meta: { ...a.meta, id: `${input.additionId}-${a.meta.id}` },
  }));
  await Promise.all(
    attachments.map(async (a) =>
      deps.blobs.put(
        blobKeys.attachment(input.signalId, a.meta.id),
        await deps.crypto.encrypt(a.content, contexts.attachment(municipality, input.signalId)),
      ),
    ),
  );
  const at = deps.clock.now().toISOString();
  const addition: ReporterAddition = {
    id: input.additionId,
    at,
    via: 'email',
    ...(input.subject ? { subject: input.subject } : {}),
    text: input.text,
    intakeNotes: input.intakeNotes ?? [],
    attachments: attachments.map((a) => a.meta),
  };
  await deps.blobs.put(
    blobKeys.addition(input.signalId, input.additionId),
    await sealJson(deps.crypto, addition, contexts.addition(municipality, input.signalId)),
  );

  const notice = await deps.render('addition-received', {
    municipality: deps.config.municipality.name,
    reference: first.reference,
    link: `${deps.config.baseUrl}/inbox/${first.id}`,
  });
  // Ids fixed by the addition: a retried write queues the same mails, not new ones.
  const mails = await Promise.all(
    deps.config.officers.map((officer, i) =>
      sealMail(deps.crypto, municipality, input.signalId, {
        id: `${input.signalId}-${input.additionId}-${i}`,
        to: [officer],
        ...notice,
        headers: { 'Auto-Submitted': 'auto-generated' },
      }),
    ),
  );

  for (let attempt = 0; attempt < 5; attempt++) {
    const signal = attempt === 0 ? first : await deps.store.get(input.signalId);
    if (!signal) return { added: false, reason: 'not-found' };
    if (hasAddition(signal, input.additionId)) {
      return { added: true, signalId: signal.id, reference: signal.reference, duplicate: true };
    }
    const next: SignalRecord = {
      ...signal,
      version: signal.version + 1,
      updatedAt: at,
      events: [
        ...signal.events,
        { at, actor: 'melder', type: ADDITION_EVENT, detail: input.additionId },
      ],
    };
    if (await deps.store.update(next, signal.version, mails)) {
      return { added: true, signalId: signal.id, reference: signal.reference, duplicate: false };
    }
  }
  throw new ConflictError('signal changed too often while adding a reporter addition');
}

function hasAddition(signal: SignalRecord, additionId: string): boolean {
  return signal.events.some((e) => e.type === ADDITION_EVENT && e.detail === additionId);
}

/** The officer reads an addition (the caller audits the read). */
export async function openAddition(
  deps: Pick<AdditionDeps, 'config' | 'crypto' | 'blobs'>,
  signalId: string,
  additionId: string,
): Promise<ReporterAddition | undefined> {
  if (!ADDITION_ID.test(additionId)) return undefined;
  const sealed = await deps.blobs.get(blobKeys.addition(signalId, additionId));
  if (!sealed) return undefined;
  const context = contexts.addition(deps.config.municipality.code, signalId);
  return openJson(deps.crypto, sealed, context, ReporterAdditionSchema);
}
