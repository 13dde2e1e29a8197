import { ConflictError } from '../errors.ts';
import { idFromKey } from '../hashing.ts';
import type { ParsedMessage } from '../mail/parsed-message.ts';
import { blobKeys, contexts } from '../mail/raw-mail.ts';
import {
  cleanSubject,
  ORIGINAL_ATTACHMENT_ID,
  originalAttachmentMeta,
} from '../mail/to-submission.ts';
import type { BlobStore, Mailer, OutgoingEmail } from '../ports.ts';
import { sealJson, sealMail } from '../sealing.ts';
import type { ReporterPart } from '../signal.ts';
import { type SubmitDeps, submitSignal } from './submit-signal.ts';

/**
 * What the intake does with mail it cannot turn into an ordinary signal, so
 * that nothing accepted is ever lost (rule 2): keep it for the officer, tell
 * the sender, or quarantine it.
 */

export type UnprocessableReason = 'unreadable' | 'no-sender' | 'empty' | 'too-large';

const NOTES: Record<UnprocessableReason, string> = {
  unreadable:
    'Deze e-mail kon niet worden gelezen (de opbouw van het bericht is kapot of te ingewikkeld).',
  'no-sender':
    'Deze e-mail heeft geen bruikbare afzender. Er is geen ontvangstbevestiging verstuurd.',
  empty: 'Deze e-mail bevatte geen tekst en geen bijlagen die konden worden gelezen.',
  'too-large': 'Deze e-mail was groter dan de ingestelde limiet en is daarom niet verwerkt.',
};

/** Marks the queued "could not read your mail" reply in the signal's history. */
const REPLY_EVENT = { type: 'mail_sent', detail: 'automatisch antwoord: e-mail niet leesbaar' };

type FallbackDeps = SubmitDeps & { blobs: BlobStore };
type RawContext = { rawId: string; raw: Uint8Array; rawSha: string };

/**
 * An "unprocessable" signal: status received, channel email, no content but a
 * note saying why, and the raw message as attachment origineel.eml. A sender
 * we know and may answer gets the Dutch `unprocessable` reply, queued on the
 * same item; no receipt.
 */
export async function keepUnprocessable(
  deps: FallbackDeps,
  ctx: RawContext,
  reason: UnprocessableReason,
  message?: ParsedMessage,
  reporter?: ReporterPart,
): Promise<{
  kind: 'unprocessable';
  rawId: string;
  signalId: string;
  reference: string;
  reason: UnprocessableReason;
}> {
  const municipality = deps.config.municipality.code;
  const idempotencyKey = `unprocessable\u0000${ctx.rawSha}`;
  // Same derivation as submitSignal, so the attachment lands under the signal's id.
  const signalId = idFromKey('email', idempotencyKey);
  await deps.blobs.put(
    blobKeys.attachment(signalId, ORIGINAL_ATTACHMENT_ID),
    await deps.crypto.encrypt(ctx.raw, contexts.attachment(municipality, signalId)),
  );
  if (message) {
    await deps.blobs.put(
      blobKeys.headers(signalId),
      await sealJson(deps.crypto, message.headers, contexts.headers(municipality, signalId)),
    );
  }
  const subject = cleanSubject(message?.subject);
  const result = await submitSignal(deps, {
    submission: {
      reporter: reporter ?? { name: 'Onbekende afzender', email: '', external: true },
      content: {
        persons: [],
        organisations: [],
        observed: '',
        ...(subject ? { subject } : {}),
        intakeNotes: [
          NOTES[reason],
          'Het originele bericht is bewaard als bijlage origineel.eml. Open het alleen als u de afzender vertrouwt.',
        ],
        attachments: [originalAttachmentMeta(ctx.raw.byteLength)],
      },
      classification: {
        exploitationForm: 'unknown',
        urgency: 'normal',
        indicators: [],
        vulnerabilities: [],
      },
    },
    channel: 'email',
    idempotencyKey,
    sendReceipt: false,
  });
  if (result.signalId !== signalId) throw new Error('signal id derivation changed');
  if (reporter?.email) await queueUnprocessableReply(deps, signalId, reporter.email, reason);
  return { kind: 'unprocessable', rawId: ctx.rawId, signalId, reference: result.reference, reason };
}

/** Version-checked, and skipped when a retry finds it already queued. */
async function queueUnprocessableReply(
  deps: FallbackDeps,
  signalId: string,
  to: string,
  reason: UnprocessableReason,
): Promise<void> {
  const { config } = deps;
  const rendered = await deps.render('unprocessable', {
    municipality: config.municipality.name,
    baseUrl: config.baseUrl,
    mailbox: config.mailbox,
    reason: reason === 'too-large' ? 'too-large' : 'unreadable',
  });
  // RFC 3834: an automatic answer to a message, so the other side must not answer it.
  const mail: OutgoingEmail = {
    id: `${signalId}-unprocessable`,
    to: [to],
    ...rendered,
    headers: { 'Auto-Submitted': 'auto-replied' },
  };
  const sealed = await sealMail(deps.crypto, config.municipality.code, signalId, mail);
  for (let attempt = 0; attempt < 5; attempt++) {
    const signal = await deps.store.get(signalId);
    if (!signal) return;
    if (signal.events.some((e) => e.type === REPLY_EVENT.type && e.detail === REPLY_EVENT.detail))
      return;
    const at = deps.clock.now().toISOString();
    const next = {
      ...signal,
      version: signal.version + 1,
      updatedAt: at,
      events: [...signal.events, { at, actor: 'system', ...REPLY_EVENT }],
    };
    if (await deps.store.update(next, signal.version, [sealed])) return;
  }
  throw new ConflictError('signal changed too often while queuing the unprocessable reply');
}

/**
 * Virus verdict FAIL: no signal (its content must not reach an officer's
 * screen), the raw message stays where it is, and the officers are told by a
 * notice that names only the intake's id. Sent directly: there is no signal
 * item to queue it on; the ids make a retried send recognisable.
 */
export async function sendQuarantineNotice(
  deps: Pick<SubmitDeps, 'config'> & { mailer: Mailer },
  rawId: string,
): Promise<void> {
  const { config } = deps;
  const text = [
    `${config.municipality.name} · Meldpunt mensenhandel`,
    '',
    'Er is een e-mail aan het meldpunt binnengekomen waarin de virusscanner van de mailserver een virus vond.',
    'Er is daarom geen signaal van gemaakt. Het bericht is apart bewaard.',
    '',
    `Kenmerk van het bericht: ${rawId}`,
    '',
    'Wilt u weten wat erin stond? Vraag de beheerder van Meldroute het bericht veilig te onderzoeken.',
    'Open het nooit zelf.',
    '',
    '--',
    `Dit is een automatisch bericht van Meldroute, het meldsysteem mensenhandel van ${config.municipality.name}.`,
  ].join('\n');
  const html = `<!doctype html><html lang="nl"><body><pre>${text.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`)}</pre></body></html>`;
  for (const [i, officer] of config.officers.entries()) {
    await deps.mailer.send({
      id: `quarantine-${rawId}-${i}`,
      to: [officer],
      subject: 'E-mail aan het meldpunt in quarantaine gezet',
      text,
      html,
      headers: { 'Auto-Submitted': 'auto-generated' },
    });
  }
}
