import type { Config } from '../config.ts';
import type {
  BlindIndex,
  BlindIndexEntry,
  BlindIndexStore,
  Crypto,
  IdentifierKind,
  SignalStore,
} from '../ports.ts';
import { amsterdamYear } from '../reference.ts';
import { openJson, unpackJson } from '../sealing.ts';
import { type ContentPart, ContentPartSchema, type SignalRecord } from '../signal.ts';
import { type Identifier, identifiersOf } from './identifiers.ts';

/**
 * Step 3, "already known": which other signals share an identifier with this
 * one. Built on blind indexes (separate small items, rebuildable), so a match
 * is found with one query per identifier and no other signal is decrypted.
 */

export type KnownDeps = { blindIndex: BlindIndex; blindIndexStore: BlindIndexStore };

export type KnownMatch = {
  signalId: string;
  reference: string;
  receivedAt: string;
  kinds: IdentifierKind[];
};

/** At most this many identifiers are looked up per signal: "a handful of queries". */
const MAX_LOOKUPS = 40;
const MAX_PER_IDENTIFIER = 25;

function entriesFor(
  deps: KnownDeps,
  signal: Pick<SignalRecord, 'id' | 'reference' | 'receivedAt'>,
  identifiers: readonly Identifier[],
): BlindIndexEntry[] {
  return identifiers.map((i) => ({
    hmac: deps.blindIndex.compute(i.kind, i.value),
    kind: i.kind,
    signalId: signal.id,
    reference: signal.reference,
    receivedAt: signal.receivedAt,
  }));
}

export function identifiersOfSignal(
  signal: Pick<SignalRecord, 'receivedAt'>,
  content: ContentPart,
  noteTexts: readonly string[] = [],
): Identifier[] {
  return identifiersOf(content, amsterdamYear(new Date(signal.receivedAt)), noteTexts);
}

/** Writes the signal's entries (idempotent puts); called after the signal itself is stored. */
export async function indexSignal(
  deps: KnownDeps,
  signal: Pick<SignalRecord, 'id' | 'reference' | 'receivedAt'>,
  content: ContentPart,
  noteTexts: readonly string[] = [],
): Promise<number> {
  const entries = entriesFor(deps, signal, identifiersOfSignal(signal, content, noteTexts));
  await deps.blindIndexStore.put(entries);
  return entries.length;
}

/** Other signals sharing any identifier, newest first, with which kinds matched. */
export async function findKnown(
  deps: KnownDeps,
  signal: Pick<SignalRecord, 'id' | 'reference' | 'receivedAt'>,
  content: ContentPart,
  noteTexts: readonly string[] = [],
): Promise<KnownMatch[]> {
  const own = entriesFor(deps, signal, identifiersOfSignal(signal, content, noteTexts)).slice(
    0,
    MAX_LOOKUPS,
  );
  const results = await Promise.all(
    own.map((e) => deps.blindIndexStore.query(e.hmac, MAX_PER_IDENTIFIER)),
  );
  const byId = new Map<string, KnownMatch>();
  for (const [i, hits] of results.entries()) {
    const kind = own[i]?.kind;
    if (!kind) continue;
    for (const hit of hits) {
      if (hit.signalId === signal.id) continue;
      const m = byId.get(hit.signalId) ?? {
        signalId: hit.signalId,
        reference: hit.reference,
        receivedAt: hit.receivedAt,
        kinds: [],
      };
      if (!m.kinds.includes(kind)) m.kinds.push(kind);
      byId.set(hit.signalId, m);
    }
  }
  return [...byId.values()].sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
}

/**
 * Rebuilds every signal's entries (after a key change, a lost index or a new
 * normalisation rule). Reads the signals page by page through the inbox index;
 * decrypts content only to recompute hashes, nothing leaves this function.
 */
export async function rebuildBlindIndex(
  deps: KnownDeps & { config: Config; store: SignalStore; crypto: Crypto },
): Promise<{ signals: number; entries: number }> {
  let cursor: string | undefined;
  let signals = 0;
  let entries = 0;
  const municipality = deps.config.municipality.code;
  do {
    const page = await deps.store.list({ limit: 100, ...(cursor ? { cursor } : {}) });
    for (const summary of page.items) {
      const signal = await deps.store.get(summary.id);
      if (!signal) continue;
      const content = await openJson(
        deps.crypto,
        signal.contentCipher,
        { municipality, signalId: signal.id, part: 'content' },
        ContentPartSchema,
      );
      const notes = await Promise.all(
        (signal.notes ?? []).map((n) =>
          deps.crypto
            .decrypt(n.cipher, { municipality, signalId: signal.id, part: `note:${n.n}` })
            .then(openNote),
        ),
      );
      entries += await indexSignal(deps, signal, content, notes.map(noteText));
      signals++;
    }
    cursor = page.cursor;
  } while (cursor);
  return { signals, entries };
}

/** Notes are sealed as JSON `{text}` (sealJson); a bare string is also accepted. */
function openNote(plain: Uint8Array): unknown {
  try {
    return unpackJson(plain);
  } catch {
    return { text: new TextDecoder().decode(plain) };
  }
}

function noteText(value: unknown): string {
  const text = (value as { text?: unknown } | null)?.text;
  return typeof text === 'string' ? text : '';
}
