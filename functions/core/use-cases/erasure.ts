import * as z from 'zod/mini';
import type { Config } from '../config.ts';
import { ConflictError } from '../errors.ts';
import { blobKeys, contexts, PROCESSED_PREFIX, RAW_PREFIX } from '../mail/raw-mail.ts';
import { factsOf } from '../monitoring/facts.ts';
import type { BlobStore, Clock, Crypto, Logger, RetentionStore, SignalStore } from '../ports.ts';
import { openJson } from '../sealing.ts';

/**
 * Retention and erasure (AVG: keep special-category data no longer than
 * needed). An erased signal leaves a remnant with only its monitoring facts
 * (so published figures for past periods stay the same) and who erased it,
 * when and why (a reason code, never text). Everything else goes: the item's
 * ciphertexts, handovers (so every partner link dies), notes, history and
 * queued mail in one atomic write; then blind-index and other related
 * items, attachments, mail headers, reporter additions and the raw mail.
 * The remnant is marked "cleanup pending" until the second part is done, so
 * a crash in between is finished by the next retention run.
 */

export const ERASURE_REASONS = {
  filed_in_error: 'Per vergissing gemeld',
  duplicate: 'Dubbel gemeld',
  data_subject_request: 'Verzoek van een betrokkene (AVG)',
  other: 'Andere reden',
  retention_expired: 'Bewaartermijn verstreken',
} as const;
export type ErasureReason = keyof typeof ERASURE_REASONS;
/** What an officer may choose; `retention_expired` is the job's own. */
export const OFFICER_REASONS = [
  'filed_in_error',
  'duplicate',
  'data_subject_request',
  'other',
] as const;

export type ErasureDeps = {
  config: Config;
  store: SignalStore;
  retention: RetentionStore;
  blobs: BlobStore;
  crypto: Crypto;
  clock: Clock;
  logger?: Logger;
};

export type EraseResult = { erased: true; id: string } | { erased: false; reason: 'not-found' };

export async function eraseSignal(
  deps: ErasureDeps,
  input: { id: string; actor: string; reason: ErasureReason },
): Promise<EraseResult> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const signal = await deps.store.get(input.id);
    if (!signal) return { erased: false, reason: 'not-found' };
    const ok = await deps.retention.replaceWithRemnant(
      {
        id: signal.id,
        receivedAt: signal.receivedAt,
        facts: factsOf(signal),
        erasedAt: deps.clock.now().toISOString(),
        erasedBy: input.actor,
        reason: input.reason,
      },
      signal.version,
    );
    if (ok) {
      await cleanUp(deps, [signal.id]);
      deps.logger?.info('signal erased', { signalId: signal.id, reason: input.reason });
      return { erased: true, id: signal.id };
    }
  }
  throw new ConflictError('signal changed too often while erasing');
}

const OutcomeMarker = z.looseObject({
  kind: z.string(),
  signalId: z.optional(z.string()),
  at: z.optional(z.string()),
});

/** The second half of an erasure; idempotent, so it can simply run again. */
async function cleanUp(deps: ErasureDeps, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const wanted = new Set(ids);
  for (const id of ids) {
    for (const prefix of [`attachments/${id}/`, `additions/${id}/`]) {
      for (const key of await deps.blobs.list(prefix)) await deps.blobs.delete(key);
    }
    await deps.blobs.delete(blobKeys.headers(id));
  }
  // Raw mail is keyed by its own id; the sealed outcome marker says which signal it became.
  await sweepRawMail(deps, (m) => m.signalId !== undefined && wanted.has(m.signalId));
  await deps.retention.deleteRelatedItems(ids);
  for (const id of ids) await deps.retention.markCleaned(id);
}

async function sweepRawMail(
  deps: ErasureDeps,
  expired: (m: z.infer<typeof OutcomeMarker>) => boolean,
): Promise<number> {
  const municipality = deps.config.municipality.code;
  let n = 0;
  for (const key of await deps.blobs.list(PROCESSED_PREFIX)) {
    const rawId = key.slice(PROCESSED_PREFIX.length);
    const sealed = await deps.blobs.get(key);
    if (!sealed) continue;
    const marker = await openJson(
      deps.crypto,
      sealed,
      contexts.processed(municipality, rawId),
      OutcomeMarker,
    );
    if (!expired(marker)) continue;
    await deps.blobs.delete(`${RAW_PREFIX}${rawId}`);
    await deps.blobs.delete(key);
    n++;
  }
  return n;
}

export type RetentionResult = { erased: number; cleanedUp: number; rawMailDeleted: number };

/** Mail that never became (part of) a signal: quarantined, auto-replies, bounces. */
const NO_SIGNAL = new Set(['quarantined', 'auto-reply-ignored', 'bounce-ignored']);

/**
 * The daily job. Input: the time (a CLI can move it). Erases closed signals
 * whose closing is longer ago than `retention.closedSignalYears`, finishes
 * erasures a crash interrupted, and deletes raw mail that never became a
 * signal once older than `retention.unprocessableMailDays`.
 */
export async function runRetention(deps: ErasureDeps): Promise<RetentionResult> {
  const now = deps.clock.now();
  const cutoff = new Date(now);
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - deps.config.retention.closedSignalYears);
  const cutoffIso = cutoff.toISOString();
  let erased = 0;
  for (const ref of await deps.retention.listClosed(cutoffIso)) {
    if (ref.closedAt >= cutoffIso) continue;
    // Read again inside eraseSignal; a signal reopened since the list was read is kept.
    const current = await deps.store.get(ref.id);
    if (current?.status !== 'closed' || !current.closedAt || current.closedAt >= cutoffIso)
      continue;
    const r = await eraseSignal(deps, { id: ref.id, actor: 'system', reason: 'retention_expired' });
    if (r.erased) erased++;
  }
  const pending = await deps.retention.listRemnantIds(true);
  await cleanUp(deps, pending);
  const mailCutoff = new Date(
    now.getTime() - deps.config.retention.unprocessableMailDays * 86_400_000,
  );
  const rawMailDeleted = await sweepRawMail(
    deps,
    (m) => NO_SIGNAL.has(m.kind) && !!m.at && m.at < mailCutoff.toISOString(),
  );
  deps.logger?.info('retention run', { erased, cleanedUp: pending.length, rawMailDeleted });
  return { erased, cleanedUp: pending.length, rawMailDeleted };
}
