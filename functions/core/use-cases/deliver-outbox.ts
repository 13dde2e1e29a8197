import * as z from 'zod/mini';
import type { Clock, Crypto, Mailer, OutboxStore } from '../ports.ts';
import { mailContext, openJson } from '../sealing.ts';

const OutgoingEmailSchema = z.object({
  id: z.string(),
  to: z.array(z.string()),
  subject: z.string(),
  html: z.string(),
  text: z.string(),
  replyTo: z.optional(z.string()),
  headers: z.optional(z.record(z.string(), z.string())),
});

export type DeliverDeps = {
  outbox: OutboxStore;
  crypto: Crypto;
  mailer: Mailer;
  clock: Clock;
  municipality: string;
  /** A claim older than this is taken to be from a sender that crashed. */
  claimTimeoutMs?: number;
};

export type DeliverResult = {
  sent: number;
  failed: number;
  /** Mails found waiting (the page read), sent or not. */
  found: number;
};

/**
 * Sends what the outbox holds: claim (one sender wins), decrypt, send, mark
 * sent. A crash after the claim is retried once the claim goes stale; a
 * failed send stays claimed until then, so a broken mail server is not
 * hammered. Adapters that can (the file outbox) are idempotent by mail id.
 */
export async function deliverOutbox(deps: DeliverDeps, limit = 25): Promise<DeliverResult> {
  const now = deps.clock.now();
  const staleBefore = new Date(now.getTime() - (deps.claimTimeoutMs ?? 5 * 60_000)).toISOString();
  const pending = await deps.outbox.listPending(limit, staleBefore);
  let sent = 0;
  let failed = 0;
  for (const p of pending) {
    const at = deps.clock.now().toISOString();
    const cipher = await deps.outbox.claim(p.ownerKind, p.ownerId, p.mailId, at, staleBefore);
    if (!cipher) continue;
    try {
      const mail = await openJson(
        deps.crypto,
        cipher,
        mailContext(deps.municipality, p.ownerId),
        OutgoingEmailSchema,
      );
      await deps.mailer.send(mail as z.infer<typeof OutgoingEmailSchema>);
      await deps.outbox.markSent(p.ownerKind, p.ownerId, p.mailId, deps.clock.now().toISOString());
      sent++;
    } catch {
      failed++;
    }
  }
  return { sent, failed, found: pending.length };
}

export type DrainResult = DeliverResult & { rounds: number };

/**
 * Sweeps in rounds of `batch` until a round sends nothing or finds less than
 * a batch (a sweep reads a bounded page, so a busy outbox takes several), at
 * most `maxRounds`, and only while `canContinue` says there is time. A round
 * that found less than a batch read all there was: what is queued after that
 * read asks for its own sweep (the write's afterWrite locally, the table's
 * stream on AWS, and the schedule on both). A failed mail stays claimed until
 * its claim goes stale, so another round would not retry it.
 */
export async function drainOutbox(
  deps: DeliverDeps,
  options: { batch?: number; maxRounds?: number; canContinue?: () => boolean } = {},
): Promise<DrainResult> {
  const { batch = 25, maxRounds = Number.POSITIVE_INFINITY, canContinue = () => true } = options;
  const result: DrainResult = { sent: 0, failed: 0, found: 0, rounds: 0 };
  while (result.rounds < maxRounds && canContinue()) {
    const r = await deliverOutbox(deps, batch);
    result.rounds++;
    result.sent += r.sent;
    result.failed += r.failed;
    result.found += r.found;
    if (r.sent === 0 || r.found < batch) break;
  }
  return result;
}
