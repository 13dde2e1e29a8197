import type { Config } from '../config.ts';
import { plusTokensOf, referenceInSubject } from '../mail/addresses.ts';
import type { ParsedMessage } from '../mail/parsed-message.ts';
import type { Crypto, ReplyTokens, SignalDirectory, SignalStore } from '../ports.ts';
import { openJson } from '../sealing.ts';
import { type ReporterPart, ReporterPartSchema } from '../signal.ts';

/**
 * Hook for the handover issue: a partner's reply to a handover mail becomes
 * feedback on that handover. Until handovers exist nothing is wired here and
 * such replies become signals like any other mail.
 */
export type PartnerReplyHook = (reply: {
  message: ParsedMessage;
  sender: string;
  tokens: string[];
  reference: string | undefined;
}) => Promise<{ signalId: string; handoverId: string } | undefined>;

export type ReplyDeps = {
  config: Config;
  store: SignalStore;
  crypto: Crypto;
  replyTokens?: ReplyTokens;
  directory?: SignalDirectory;
  partnerReplies?: PartnerReplyHook;
};

export type ReplyTarget = { kind: 'reporter' | 'partner'; signalId: string };

/**
 * A reply belongs to an existing signal when it is addressed to a plus token
 * we issued for it, or names its reference in the subject and comes from the
 * signal's own reporter (references are sequential, so anyone could guess one).
 */
export async function replyTarget(
  deps: ReplyDeps,
  message: ParsedMessage,
  reporter: ReporterPart,
  envelope: string[],
): Promise<ReplyTarget | undefined> {
  const tokens = plusTokensOf(deps.config, message, envelope);
  for (const token of tokens) {
    const signalId = deps.replyTokens?.verify(token);
    if (signalId && (await deps.store.get(signalId))) return { kind: 'reporter', signalId };
  }
  const reference = referenceInSubject(deps.config, message.subject);
  const partner = await deps.partnerReplies?.({
    message,
    sender: reporter.email,
    tokens,
    reference,
  });
  if (partner) return { kind: 'partner', signalId: partner.signalId };
  if (!reference || !deps.directory) return undefined;
  const signalId = await deps.directory.findByReference(reference);
  const signal = signalId ? await deps.store.get(signalId) : undefined;
  if (!signal) return undefined;
  // A system comparison, not a person reading: nothing decrypted leaves this function.
  const context = {
    municipality: deps.config.municipality.code,
    signalId: signal.id,
    part: 'reporter',
  };
  const known = await openJson(deps.crypto, signal.reporterCipher, context, ReporterPartSchema);
  return known.email && known.email === reporter.email
    ? { kind: 'reporter', signalId: signal.id }
    : undefined;
}
