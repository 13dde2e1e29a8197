import { randomBytes } from 'node:crypto';
import { DecryptionError } from '#core/errors.ts';
import type { Crypto, EncryptionContext, SealOptions, SignalKeyStore } from '#core/ports.ts';
import { EncryptionSdkCrypto, keyProviderOf, rawAesKeyring } from './encryption-sdk.ts';

/**
 * One data key per signal (docs/adr/0016). The officer's parts of a signal
 * (content, notes, handovers, feedback, agenda) are sealed with the Encryption
 * SDK under a raw AES keyring whose key is the signal's own; that key is
 * stored wrapped by the inner Crypto (on AWS: one KMS data key under the
 * context part `signal-key`). Opening a worked signal then costs one KMS call
 * for all those parts instead of one each. Everything else (the reporter,
 * mail, raw mail, attachments, second factors, anything without a signal)
 * goes to the inner Crypto unchanged, so IAM keeps scoping those by part.
 */

/** The provider id in the header of every message sealed under a signal key. */
export const SIGNAL_KEY_NAMESPACE = 'meldroute-signal';
/** The encryption-context part under which a signal key is wrapped. */
export const SIGNAL_KEY_PART = 'signal-key';

const EXACT = new Set(['content', 'agenda']);
const PREFIXES = ['note:', 'handover:', 'feedback:', 'reporter-feedback:'];

/**
 * An allow-list: a part not named here (a new one included) keeps its own
 * KMS context. Never `reporter`: partner-facing code must be deniable it by IAM.
 */
export function sealedUnderSignalKey(part: string): boolean {
  return EXACT.has(part) || PREFIXES.some((p) => part.startsWith(p));
}

/**
 * full: gets or creates a signal's key and unwraps existing ones (web, the
 * local process, the offline tools). create-only: may create a key for a
 * signal that has none (it holds the plaintext it just generated) but never
 * unwraps one: the mail intake, whose role may decrypt only `reporter`.
 * A part of a signal that already has a key it cannot use is sealed by the
 * inner Crypto instead; opening reads from each message which one sealed it.
 */
export type SignalKeyMode = 'full' | 'create-only';

export type SignalKeyOptions = {
  mode?: SignalKeyMode;
  /** Unwrapped keys kept per process (least recently used go first). */
  maxKeys?: number;
  /** How long an unwrapped key is used before it is read and unwrapped again. */
  maxAgeMs?: number;
  /** Milliseconds, for tests. */
  now?: () => number;
};

type Entry = { key: Promise<Crypto | undefined>; expires: number };

/** Why a signal's key is wanted: to open a part, or to seal one (of a signal being created now). */
type Need = 'open' | 'seal' | 'seal-new';

export class SignalKeyCrypto implements Crypto {
  private readonly mode: SignalKeyMode;
  private readonly maxKeys: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  /** Insertion-ordered: the first entry is the least recently used. */
  private readonly cache = new Map<string, Entry>();

  constructor(
    private readonly inner: Crypto,
    private readonly keys: SignalKeyStore,
    options: SignalKeyOptions = {},
  ) {
    this.mode = options.mode ?? 'full';
    this.maxKeys = options.maxKeys ?? 1000;
    this.maxAgeMs = options.maxAgeMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  async encrypt(
    plain: Uint8Array,
    context: EncryptionContext,
    options: SealOptions = {},
  ): Promise<Uint8Array> {
    if (!covered(context)) return this.inner.encrypt(plain, context, options);
    const sealer = await this.keyFor(context, options.newSignal ? 'seal-new' : 'seal');
    return (sealer ?? this.inner).encrypt(plain, context);
  }

  async decrypt(cipher: Uint8Array, context: EncryptionContext): Promise<Uint8Array> {
    if (keyProviderOf(cipher) !== SIGNAL_KEY_NAMESPACE) return this.inner.decrypt(cipher, context);
    if (!covered(context)) throw new DecryptionError('signal-key ciphertext under another part');
    const opener = await this.keyFor(context, 'open');
    if (!opener) throw new DecryptionError('no usable signal key for this signal');
    return opener.decrypt(cipher, context);
  }

  /**
   * The signal's key as a Crypto, from the cache or the store; undefined when
   * there is none (or, create-only, none this instance may use). Concurrent
   * first uses of one signal share one read, unwrap or creation.
   */
  private async keyFor(context: EncryptionContext, need: Need): Promise<Crypto | undefined> {
    const id = `${context.municipality}\u0000${context.signalId}`;
    const create = need !== 'open';
    for (let hit = this.cached(id); hit; ) {
      const key = await hit;
      if (key || !create) return key;
      // A lookup that found nothing has left the cache; another writer may have started since.
      const next = this.cached(id);
      hit = next === hit ? undefined : next;
    }
    if (!create && this.mode === 'create-only') return undefined;
    const key = create ? this.getOrCreate(context, need === 'seal-new') : this.load(context);
    this.remember(id, key);
    return key;
  }

  private async load(context: EncryptionContext): Promise<Crypto | undefined> {
    const wrapped = await this.keys.get(context.signalId);
    return wrapped ? this.unwrap(wrapped, context) : undefined;
  }

  /**
   * For a signal being created now the key is made and written straight
   * away: a new signal has none, so looking first would be a read for
   * nothing. When one is there after all (a resent form), the conditional
   * write finds it.
   */
  private async getOrCreate(
    context: EncryptionContext,
    createFirst: boolean,
  ): Promise<Crypto | undefined> {
    if (!createFirst) {
      const existing = await this.keys.get(context.signalId);
      if (existing) return this.mode === 'full' ? this.unwrap(existing, context) : undefined;
    }
    const key = randomBytes(32);
    const wrapped = await this.inner.encrypt(key, keyContext(context));
    const stored = await this.keys.putIfAbsent(context.signalId, wrapped);
    if (Buffer.from(stored).equals(Buffer.from(wrapped))) return signalCrypto(key, context);
    // Another writer was first: use its key (full), or none at all (create-only).
    return this.mode === 'full' ? this.unwrap(stored, context) : undefined;
  }

  private async unwrap(wrapped: Uint8Array, context: EncryptionContext): Promise<Crypto> {
    const key = await this.inner.decrypt(wrapped, keyContext(context));
    if (key.length !== 32) throw new DecryptionError('a signal key must be 32 bytes');
    return signalCrypto(key, context);
  }

  private cached(id: string): Promise<Crypto | undefined> | undefined {
    const entry = this.cache.get(id);
    if (!entry) return undefined;
    this.cache.delete(id);
    if (entry.expires <= this.now()) return undefined;
    this.cache.set(id, entry); // most recently used now
    return entry.key;
  }

  private remember(id: string, key: Promise<Crypto | undefined>): void {
    this.cache.delete(id);
    this.cache.set(id, { key, expires: this.now() + this.maxAgeMs });
    while (this.cache.size > this.maxKeys) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
    // Only keys are kept: "none (yet)" and failures are asked again next time.
    const forget = () => {
      if (this.cache.get(id)?.key === key) this.cache.delete(id);
    };
    key.then((k) => k ?? forget(), forget);
  }
}

function covered(context: EncryptionContext): boolean {
  return Boolean(context.municipality && context.signalId && sealedUnderSignalKey(context.part));
}

function keyContext(context: EncryptionContext): EncryptionContext {
  return { municipality: context.municipality, signalId: context.signalId, part: SIGNAL_KEY_PART };
}

/** Seals like every other part (suite, frames, context check), under the signal's key. */
function signalCrypto(key: Uint8Array, context: EncryptionContext): Crypto {
  return new EncryptionSdkCrypto(rawAesKeyring(key, context.signalId, SIGNAL_KEY_NAMESPACE));
}
