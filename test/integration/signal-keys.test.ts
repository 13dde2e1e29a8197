import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBlobStore } from '#adapters/blob/file-blob-store.ts';
import {
  EncryptionSdkCrypto,
  keyProviderOf,
  kmsKeyring,
  rawAesKeyring,
} from '#adapters/crypto/encryption-sdk.ts';
import {
  SIGNAL_KEY_NAMESPACE,
  SignalKeyCrypto,
  type SignalKeyOptions,
} from '#adapters/crypto/signal-keys.ts';
import { DynamoRetentionStore } from '#adapters/dynamo/retention-store.ts';
import { DynamoSignalKeyStore } from '#adapters/dynamo/signal-key-store.ts';
import { DynamoSignalStore } from '#adapters/dynamo/signal-store.ts';
import { parseConfig } from '#core/config.ts';
import { DecryptionError } from '#core/errors.ts';
import type { Crypto, EncryptionContext, SignalKeyStore } from '#core/ports.ts';
import { eraseSignal } from '#core/use-cases/erasure.ts';
import { submitSignal } from '#core/use-cases/submit-signal.ts';
import { scanAll, testTable } from '../support/dynamo.ts';
import { counterIds, echoRenderer, fixedClock } from '../support/fakes.ts';
import { markedSubmission } from '../support/submission.ts';

/**
 * One data key per signal (docs/adr/0016): the officer's parts of a signal
 * sealed under the signal's own key, that key wrapped by the inner Crypto
 * (KMS on AWS). Against dynalite, with the inner Crypto counted.
 */

const M = 'montfoort';
const enc = new TextEncoder();
const dec = new TextDecoder();
const at = (signalId: string, part: string): EncryptionContext => ({
  municipality: M,
  signalId,
  part,
});

/** The inner Crypto (the master key: KMS on AWS), counting what it is asked, by part. */
function spyCrypto(inner: Crypto = new EncryptionSdkCrypto(rawAesKeyring(randomBytes(32)))) {
  const encrypts: string[] = [];
  const decrypts: string[] = [];
  const crypto: Crypto = {
    encrypt: (plain, context) => {
      encrypts.push(context.part);
      return inner.encrypt(plain, context);
    },
    decrypt: (cipher, context) => {
      decrypts.push(context.part);
      return inner.decrypt(cipher, context);
    },
  };
  const reset = () => {
    encrypts.length = 0;
    decrypts.length = 0;
  };
  return { crypto, encrypts, decrypts, reset };
}

let t: Awaited<ReturnType<typeof testTable>>;
let keys: SignalKeyStore;
let n = 0;
const fresh = () => `sig-${++n}-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  t = await testTable('meldroute-signal-keys');
  keys = new DynamoSignalKeyStore(t.doc, t.table);
});
afterAll(() => t.close());

/** Another container or process: its own cache, the same table and master key. */
const instance = (inner: Crypto, options: SignalKeyOptions = {}) =>
  new SignalKeyCrypto(inner, keys, options);

describe('one data key per signal', () => {
  it("opens all of a worked signal's parts with one unwrap of the master key", async () => {
    const master = spyCrypto();
    const writer = instance(master.crypto);
    const signals = [fresh(), fresh()];
    const parts = ['content', 'note:1', 'note:2', 'handover:h1', 'agenda', 'feedback:h1:1'];
    const sealed: { id: string; part: string; cipher: Uint8Array }[] = [];
    for (const id of signals)
      for (const part of parts)
        sealed.push({
          id,
          part,
          cipher: await writer.encrypt(enc.encode(`${id} ${part}`), at(id, part)),
        });
    // One key per signal, made once: one wrap each, whatever the number of parts.
    expect(master.encrypts).toEqual(['signal-key', 'signal-key']);

    master.reset();
    const viewer = instance(master.crypto);
    for (const s of sealed) {
      expect(keyProviderOf(s.cipher)).toBe(SIGNAL_KEY_NAMESPACE);
      expect(dec.decode(await viewer.decrypt(s.cipher, at(s.id, s.part)))).toBe(
        `${s.id} ${s.part}`,
      );
    }
    expect(master.decrypts).toEqual(['signal-key', 'signal-key']);
    expect(master.encrypts).toEqual([]);
  });

  it('stores the key wrapped, as its own item in the signal partition', async () => {
    const id = fresh();
    await instance(spyCrypto().crypto).encrypt(enc.encode('x'), at(id, 'content'));
    const items = (await scanAll(t.doc, t.table)).filter((i) => i.pk === `SIG#${id}`);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ sk: 'KEY', kind: 'signal-key' });
    expect(items[0]?.wrapped).toBeInstanceOf(Uint8Array);
    // Wrapped by the master key under its own context part, never in clear.
    expect(keyProviderOf(items[0]?.wrapped as Uint8Array)).toBe('meldroute');
  });

  it('seals the reporter, mail and everything without a signal key part with the master key only', async () => {
    const master = spyCrypto();
    const crypto = instance(master.crypto);
    const id = fresh();
    const own = [
      'reporter',
      'mail',
      'raw-mail',
      'raw-mail-outcome',
      'attachment',
      'mail-headers',
      'addition',
      'totp',
      'signal-key',
      'reporterx',
      'notes',
    ];
    for (const part of own) {
      const cipher = await crypto.encrypt(enc.encode(part), at(id, part));
      expect(keyProviderOf(cipher), part).toBe('meldroute');
      expect(dec.decode(await crypto.decrypt(cipher, at(id, part)))).toBe(part);
    }
    // Also a signal part without a signal id (nothing to key it to).
    await crypto.encrypt(enc.encode('x'), { municipality: M, signalId: '', part: 'content' });
    expect(master.encrypts).toEqual([...own, 'content']);
    expect(master.decrypts).toEqual(own);
    expect(await keys.get(id)).toBeUndefined();
  });

  it('refuses a ciphertext moved to another signal or part', async () => {
    const crypto = instance(spyCrypto().crypto);
    const [a, b, c] = [fresh(), fresh(), fresh()];
    const content = await crypto.encrypt(enc.encode('A'), at(a, 'content'));
    await crypto.encrypt(enc.encode('B'), at(b, 'content'));
    // B has a key of its own; C has none at all.
    await expect(crypto.decrypt(content, at(b, 'content'))).rejects.toBeInstanceOf(DecryptionError);
    await expect(crypto.decrypt(content, at(c, 'content'))).rejects.toBeInstanceOf(DecryptionError);
    // Its own signal, another part: the context check.
    await expect(crypto.decrypt(content, at(a, 'note:1'))).rejects.toThrow(
      /context mismatch on part/,
    );
    await expect(crypto.decrypt(content, at(a, 'reporter'))).rejects.toBeInstanceOf(
      DecryptionError,
    );
    // A's wrapped key copied into B's partition does not unwrap there.
    const wrappedA = (await keys.get(a)) as Uint8Array;
    const d = fresh();
    await keys.putIfAbsent(d, wrappedA);
    const other = instance(spyCrypto().crypto);
    await expect(other.decrypt(content, at(d, 'content'))).rejects.toBeInstanceOf(DecryptionError);
  });

  it('still opens what was sealed before signal keys, also once the signal has one', async () => {
    const inner = new EncryptionSdkCrypto(rawAesKeyring(randomBytes(32)));
    const id = fresh();
    const old = await inner.encrypt(enc.encode('oud'), at(id, 'content'));
    const oldNote = await inner.encrypt(enc.encode('oude notitie'), at(id, 'note:1'));
    const crypto = instance(inner);
    expect(dec.decode(await crypto.decrypt(old, at(id, 'content')))).toBe('oud');
    expect(await keys.get(id)).toBeUndefined(); // opening never creates a key
    const note = await crypto.encrypt(enc.encode('nieuwe notitie'), at(id, 'note:2'));
    expect(keyProviderOf(note)).toBe(SIGNAL_KEY_NAMESPACE);
    const later = instance(inner);
    expect(dec.decode(await later.decrypt(old, at(id, 'content')))).toBe('oud');
    expect(dec.decode(await later.decrypt(oldNote, at(id, 'note:1')))).toBe('oude notitie');
    expect(dec.decode(await later.decrypt(note, at(id, 'note:2')))).toBe('nieuwe notitie');
  });

  it('creates exactly one key when the first seals of a signal race', async () => {
    const master = spyCrypto();
    const id = fresh();
    // In one process: concurrent first uses share one creation.
    const one = instance(master.crypto);
    const ciphers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => one.encrypt(enc.encode(`n${i}`), at(id, `note:${i}`))),
    );
    expect(master.encrypts.filter((p) => p === 'signal-key')).toHaveLength(1);
    // In separate containers: the conditional put lets one key win, and both use it.
    const id2 = fresh();
    const racers = Array.from({ length: 4 }, () => instance(master.crypto));
    const raced = await Promise.all(
      racers.map((r, i) => r.encrypt(enc.encode(`r${i}`), at(id2, `note:${i}`))),
    );
    const stored = (await scanAll(t.doc, t.table)).filter(
      (i) => i.pk === `SIG#${id2}` && i.sk === 'KEY',
    );
    expect(stored).toHaveLength(1);
    const reader = instance(master.crypto);
    master.reset();
    for (const [i, c] of raced.entries())
      expect(dec.decode(await reader.decrypt(c, at(id2, `note:${i}`)))).toBe(`r${i}`);
    for (const [i, c] of ciphers.entries())
      expect(dec.decode(await reader.decrypt(c, at(id, `note:${i}`)))).toBe(`n${i}`);
    expect(master.decrypts).toEqual(['signal-key', 'signal-key']);
  });

  it("a new signal's key is written without looking for one first; a resent one finds the first", async () => {
    const reads: string[] = [];
    const counted: SignalKeyStore = {
      get: (id) => {
        reads.push(id);
        return keys.get(id);
      },
      putIfAbsent: (id, wrapped) => keys.putIfAbsent(id, wrapped),
    };
    const master = spyCrypto();
    const id = fresh();
    const first = new SignalKeyCrypto(master.crypto, counted);
    const content = await first.encrypt(enc.encode('eerste'), at(id, 'content'), {
      newSignal: true,
    });
    expect(reads).toEqual([]);
    expect(keyProviderOf(content)).toBe(SIGNAL_KEY_NAMESPACE);

    // The same post again, in another container: its key loses the conditional write.
    const again = new SignalKeyCrypto(master.crypto, counted);
    const resent = await again.encrypt(enc.encode('opnieuw'), at(id, 'content'), {
      newSignal: true,
    });
    const stored = (await scanAll(t.doc, t.table)).filter(
      (i) => i.pk === `SIG#${id}` && i.sk === 'KEY',
    );
    expect(stored).toHaveLength(1);
    const reader = instance(master.crypto);
    expect(dec.decode(await reader.decrypt(content, at(id, 'content')))).toBe('eerste');
    expect(dec.decode(await reader.decrypt(resent, at(id, 'content')))).toBe('opnieuw');
  });

  it('create-only (mail intake): keys a new signal, never unwraps an existing one', async () => {
    const master = spyCrypto();
    const intake = instance(master.crypto, { mode: 'create-only' });
    const web = instance(master.crypto);

    // A new signal: the intake makes its key and seals under it.
    const created = fresh();
    const content = await intake.encrypt(enc.encode('inhoud'), at(created, 'content'));
    const reporter = await intake.encrypt(enc.encode('melder'), at(created, 'reporter'));
    expect(keyProviderOf(content)).toBe(SIGNAL_KEY_NAMESPACE);
    expect(keyProviderOf(reporter)).toBe('meldroute');
    expect(master.encrypts).toEqual(['signal-key', 'reporter']);

    // A signal whose key another function made: sealed with the master key instead.
    const existing = fresh();
    const note = await web.encrypt(enc.encode('notitie'), at(existing, 'note:1'));
    master.reset();
    const feedback = await intake.encrypt(
      enc.encode('terugkoppeling'),
      at(existing, 'feedback:h1:1'),
    );
    expect(keyProviderOf(feedback)).toBe('meldroute');
    expect(master.encrypts).toEqual(['feedback:h1:1']);
    // It cannot open that signal's key-sealed parts, and does not try the master key for them.
    await expect(intake.decrypt(note, at(existing, 'note:1'))).rejects.toBeInstanceOf(
      DecryptionError,
    );
    // The reporter part it may open (IAM: decrypt `reporter` only).
    expect(dec.decode(await intake.decrypt(reporter, at(created, 'reporter')))).toBe('melder');
    expect(master.decrypts).toEqual(['reporter']);

    // The web opens all of it.
    expect(dec.decode(await web.decrypt(content, at(created, 'content')))).toBe('inhoud');
    expect(dec.decode(await web.decrypt(feedback, at(existing, 'feedback:h1:1')))).toBe(
      'terugkoppeling',
    );
  });

  it('keeps unwrapped keys a limited time and number', async () => {
    const master = spyCrypto();
    let now = 0;
    const writer = instance(master.crypto);
    const [a, b, c] = [fresh(), fresh(), fresh()];
    const sealed = new Map<string, Uint8Array>();
    for (const id of [a, b, c])
      sealed.set(id, await writer.encrypt(enc.encode(id), at(id, 'content')));
    const viewer = instance(master.crypto, { maxKeys: 2, maxAgeMs: 60_000, now: () => now });
    const open = async (id: string) =>
      dec.decode(await viewer.decrypt(sealed.get(id) as Uint8Array, at(id, 'content')));
    master.reset();
    expect(await open(a)).toBe(a);
    expect(await open(a)).toBe(a);
    expect(master.decrypts).toHaveLength(1);
    now += 59_999;
    await open(a);
    expect(master.decrypts).toHaveLength(1);
    now += 1;
    await open(a); // expired: read and unwrapped again
    expect(master.decrypts).toHaveLength(2);
    await open(b);
    await open(c); // the third key pushes out the least recently used (a)
    expect(master.decrypts).toHaveLength(4);
    await open(c);
    await open(b);
    expect(master.decrypts).toHaveLength(4);
    await open(a);
    expect(master.decrypts).toHaveLength(5);
  });

  it('on AWS: one GenerateDataKey and one Decrypt per signal, under the part signal-key', async () => {
    const arn = 'arn:aws:kms:eu-central-1:111122223333:key/11111111-2222-3333-4444-555555555555';
    const wrap = Buffer.from('test-kms:');
    const kms = mockClient(KMSClient);
    try {
      kms.on(GenerateDataKeyCommand).callsFake(() => {
        const key = randomBytes(32);
        return {
          KeyId: arn,
          Plaintext: new Uint8Array(key),
          CiphertextBlob: new Uint8Array(Buffer.concat([wrap, key])),
        };
      });
      kms.on(DecryptCommand).callsFake((input: { CiphertextBlob: Uint8Array }) => ({
        KeyId: arn,
        Plaintext: new Uint8Array(Buffer.from(input.CiphertextBlob).subarray(wrap.length)),
      }));
      const inner = new EncryptionSdkCrypto(kmsKeyring(arn));
      const id = fresh();
      const web = instance(inner);
      const reporter = await web.encrypt(enc.encode('melder'), at(id, 'reporter'));
      const parts = ['content', 'note:1', 'handover:h1'];
      const sealed = await Promise.all(parts.map((p) => web.encrypt(enc.encode(p), at(id, p))));
      const contexts = kms
        .commandCalls(GenerateDataKeyCommand)
        .map((c) => c.args[0].input.EncryptionContext);
      // The IAM conditions (infra/constructs/access.ts) see these parts, as before.
      expect(contexts).toEqual([
        { municipality: M, signalId: id, part: 'reporter' },
        { municipality: M, signalId: id, part: 'signal-key' },
      ]);
      kms.resetHistory();
      const viewer = instance(inner);
      await viewer.decrypt(reporter, at(id, 'reporter'));
      for (const [i, p] of parts.entries())
        await viewer.decrypt(sealed[i] as Uint8Array, at(id, p));
      expect(
        kms.commandCalls(DecryptCommand).map((c) => c.args[0].input.EncryptionContext?.part),
      ).toEqual(['reporter', 'signal-key']);
    } finally {
      kms.restore();
    }
  });

  it('erasing a signal deletes its key, so nothing sealed under it can be opened again', async () => {
    const config = parseConfig(JSON.parse(readFileSync('config/montfoort.example.json', 'utf8')));
    const blobDir = await mkdtemp(join(tmpdir(), 'meldroute-signal-keys-'));
    try {
      const master = spyCrypto();
      const crypto = instance(master.crypto);
      const store = new DynamoSignalStore(t.doc, t.table);
      const clock = fixedClock('2026-03-02T09:00:00Z');
      const { signalId } = await submitSignal(
        { config, store, crypto, clock, ids: counterIds(), render: echoRenderer },
        { submission: markedSubmission('KEYMARK'), channel: 'form', idempotencyKey: 'keymark' },
      );
      const signal = await store.get(signalId);
      if (!signal) throw new Error('stored');
      expect(keyProviderOf(signal.contentCipher)).toBe(SIGNAL_KEY_NAMESPACE);
      expect(await keys.get(signalId)).toBeDefined();

      const erased = await eraseSignal(
        {
          config,
          store,
          retention: new DynamoRetentionStore(t.doc, t.table),
          blobs: new FileBlobStore(blobDir),
          crypto,
          clock,
        },
        { id: signalId, actor: 'af@montfoort.example', reason: 'filed_in_error' },
      );
      expect(erased).toEqual({ erased: true, id: signalId });
      const left = (await scanAll(t.doc, t.table)).filter((i) => i.pk === `SIG#${signalId}`);
      expect(left.map((i) => i.sk)).toEqual(['A']); // the remnant only
      expect(await keys.get(signalId)).toBeUndefined();
      // A copy of the content kept anywhere (a backup export, a log) no longer opens.
      await expect(
        instance(master.crypto).decrypt(signal.contentCipher, at(signalId, 'content')),
      ).rejects.toBeInstanceOf(DecryptionError);
    } finally {
      await rm(blobDir, { recursive: true, force: true });
    }
  });
});

describe('reading which keyring sealed a message', () => {
  it('names the provider of the wrapped data key, and nothing for other bytes', async () => {
    const crypto = new EncryptionSdkCrypto(rawAesKeyring(randomBytes(32), 'k', 'ns-x'));
    const withContext = await crypto.encrypt(enc.encode('x'), at('s', 'content'));
    const withoutContext = await crypto.encrypt(enc.encode('x'), {} as EncryptionContext);
    expect(keyProviderOf(withContext)).toBe('ns-x');
    expect(keyProviderOf(withoutContext)).toBe('ns-x');
    expect(keyProviderOf(withContext.subarray(0, 40))).toBeUndefined();
    expect(keyProviderOf(new Uint8Array(0))).toBeUndefined();
    expect(keyProviderOf(enc.encode('{"json":true}'))).toBeUndefined();
    const offset = new Uint8Array(withContext.length + 3);
    offset.set(withContext, 3);
    expect(keyProviderOf(offset.subarray(3))).toBe('ns-x');
  });
});
