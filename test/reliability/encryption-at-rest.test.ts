import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EncryptionSdkCrypto,
  keyProviderOf,
  rawAesKeyring,
} from '#adapters/crypto/encryption-sdk.ts';
import {
  SIGNAL_KEY_NAMESPACE,
  SIGNAL_KEY_PART,
  SignalKeyCrypto,
} from '#adapters/crypto/signal-keys.ts';
import { documentClient } from '#adapters/dynamo/client.ts';
import { DynamoSignalKeyStore } from '#adapters/dynamo/signal-key-store.ts';
import type { Crypto, EncryptionContext } from '#core/ports.ts';
import { Client, signIn, startTestRuntime } from '../support/local.ts';
import { report } from './report.ts';
import { freshForm, rawItems, signals } from './support.ts';

const OFFICER = 'aandachtsfunctionaris@montfoort.example';
const STAFF = 'rust-medewerker@montfoort.example';
const FORMS = 20;
const MAILS = 5;
const MARKER = 'RUSTQX';

/** Every byte string in an item, with where it sits. */
function binaries(v: unknown, path: string, out: { path: string; bytes: Uint8Array }[]) {
  if (v instanceof Uint8Array) out.push({ path, bytes: v });
  else if (Array.isArray(v)) for (const [i, x] of v.entries()) binaries(x, `${path}[${i}]`, out);
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) binaries(x, `${path}.${k}`, out);
  return out;
}

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)])),
  );
  return nested.flat();
}

describe('encryption at rest', () => {
  let t: Awaited<ReturnType<typeof startTestRuntime>>;
  beforeAll(async () => {
    t = await startTestRuntime();
  });
  afterAll(() => t.close());

  it('stores no plaintext, and a moved or mislabelled ciphertext never opens', async () => {
    const { runtime } = t;
    const staff = new Client(runtime.url);
    await signIn(runtime, staff, STAFF);
    const officer = new Client(runtime.url);
    await signIn(runtime, officer, OFFICER);
    for (let i = 0; i < FORMS; i++) {
      const form = await freshForm(staff, `${MARKER}F${i}`);
      Object.assign(form, {
        location: `Straat ${MARKER}L${i}`,
        'persons[0][name]': `Persoon ${MARKER}P${i}`,
        'persons[0][role]': 'victim',
        'persons[0][phone]': '06-12345678',
      });
      const res = await staff.request('/melden', { method: 'POST', form });
      expect(res.status).toBe(200);
      await res.text();
    }
    const transport = nodemailer.createTransport({
      host: runtime.smtp.host,
      port: runtime.smtp.port,
      secure: false,
      ignoreTLS: true,
    });
    for (let i = 0; i < MAILS; i++) {
      await transport.sendMail({
        from: `Melder ${MARKER}N${i} <rust${i}@montfoort.example>`,
        to: runtime.config.mailbox,
        subject: `Signaal ${MARKER}S${i}`,
        text: `Iemand slaapt in het magazijn ${MARKER}B${i}.`,
        attachments: [{ filename: `foto-${i}.txt`, content: `Bijlage ${MARKER}A${i}` }],
      });
    }
    transport.close();
    await runtime.smtp.idle();

    // 1. Raw items and blob files: no marker in any string or byte.
    const items = await rawItems(runtime);
    const marker = Buffer.from(MARKER);
    let itemHits = 0;
    for (const item of items) {
      const strings = JSON.stringify(item, (_k, v) => (v instanceof Uint8Array ? '' : v));
      if (strings.includes(MARKER)) itemHits++;
      if (binaries(item, '', []).some((b) => Buffer.from(b.bytes).includes(marker))) itemHits++;
    }
    const blobFiles = await files(join(runtime.dataDir, 'blobs'));
    let blobHits = 0;
    for (const f of blobFiles) if ((await readFile(f)).includes(marker)) blobHits++;

    // 2. A ciphertext moved from signal A to signal B.
    const formSignals = (await signals(runtime)).filter((s) => s.channel === 'form');
    const [a, b] = formSignals;
    if (!a || !b) throw new Error('two form signals expected');
    const doc = documentClient({ endpoint: runtime.dynamo.endpoint });
    await doc.send(
      new UpdateCommand({
        TableName: runtime.dynamo.table,
        Key: { pk: b.pk, sk: b.sk },
        UpdateExpression: 'SET reporterCipher = :r, contentCipher = :c',
        ExpressionAttributeValues: { ':r': a.reporterCipher, ':c': a.contentCipher },
      }),
    );
    const moved = await officer.page(`/inbox/${b.id}`);
    const aMarker = String(a.reference ?? '');
    const aContent = /RUSTQXF\d+/.exec(
      (await officer.page(`/inbox/${a.id}`)).html.match(/Melder RUSTQXF\d+/)?.[0] ?? '',
    )?.[0];
    const title = moved.html.match(/<h1[^>]*>([^<]+)</)?.[1]?.trim() ?? '';
    const leaked =
      Boolean(aContent && moved.html.includes(aContent)) || moved.html.includes(aMarker);

    // 3. Every stored ciphertext, decrypted with the right key but a wrong context: the
    // right key is the key file's, or for the officer's parts the signal's own key
    // (docs/adr/0016), unwrapped here by hand from the signal's KEY item.
    const key = await readFile(join(runtime.dataDir, 'keys', 'data-encryption.key'));
    const master = new EncryptionSdkCrypto(rawAesKeyring(new Uint8Array(key)));
    // And through the app's own Crypto, as every page opens them.
    const app = new SignalKeyCrypto(master, new DynamoSignalKeyStore(doc, runtime.dynamo.table));
    const municipality = runtime.config.municipality.code;
    const signalKeys = new Map<string, Crypto>();
    for (const i of items.filter((x) => x.kind === 'signal-key')) {
      const owner = String(i.pk).replace(/^SIG#/, '');
      const plain = await master.decrypt(i.wrapped as Uint8Array, {
        municipality,
        signalId: owner,
        part: SIGNAL_KEY_PART,
      });
      signalKeys.set(
        owner,
        new EncryptionSdkCrypto(rawAesKeyring(plain, owner, SIGNAL_KEY_NAMESPACE)),
      );
    }
    const ciphers = items.flatMap((i) =>
      binaries(i, '', [])
        .filter((x) => x.bytes[0] === 0x02)
        .map((x) => ({ ...x, owner: String(i.pk).replace(/^[A-Z]+#/, '') })),
    );
    const underSignalKey = ciphers.filter(
      (c) => keyProviderOf(c.bytes) === SIGNAL_KEY_NAMESPACE,
    ).length;
    let tried = 0;
    let refused = 0;
    let control = 0; // with no context to check, the right key opens each: refusals are the context's
    for (const c of ciphers) {
      const right =
        keyProviderOf(c.bytes) === SIGNAL_KEY_NAMESPACE ? signalKeys.get(c.owner) : master;
      await right?.decrypt(c.bytes, {} as EncryptionContext).then(() => control++);
      for (const context of [
        // Another signal's id; its own id with another part.
        { municipality, signalId: 'ander-signaal', part: 'content' },
        { municipality, signalId: c.owner, part: 'ander-deel' },
        { municipality, signalId: c.owner, part: 'note:999' },
      ]) {
        for (const crypto of [right, app]) {
          tried++;
          await (crypto ?? master).decrypt(c.bytes, context).then(
            () => undefined,
            () => refused++,
          );
        }
      }
    }
    doc.destroy();

    const holds =
      itemHits === 0 &&
      blobHits === 0 &&
      moved.res.status >= 400 &&
      !leaked &&
      tried > 0 &&
      underSignalKey >= FORMS + MAILS &&
      control === ciphers.length &&
      refused === tried;
    report(
      '7. encryption at rest',
      `${items.length} raw items + ${blobFiles.length} blob files (${FORMS} form + ${MAILS} mailed signals): ` +
        `${itemHits + blobHits} marker hits; ciphertext moved A→B: B's page ${moved.res.status} "${title}", ` +
        `A's content shown: ${leaked ? 'yes' : 'no'}; wrong context: ${refused}/${tried} decrypts refused ` +
        `(${ciphers.length} ciphertexts, ${underSignalKey} under a signal key, × 3 contexts × the right key and the app's)`,
      holds,
    );
    expect(itemHits).toBe(0);
    expect(blobHits).toBe(0);
    expect(aContent).toBeTruthy();
    expect(moved.res.status).toBeGreaterThanOrEqual(400);
    expect(title).toMatch(/kan niet worden gelezen/);
    expect(leaked).toBe(false);
    expect(tried).toBeGreaterThan(0);
    expect(underSignalKey).toBeGreaterThanOrEqual(FORMS + MAILS);
    expect(control).toBe(ciphers.length);
    expect(refused).toBe(tried);
  });
});
