import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BlobStore } from '#core/ports.ts';

/**
 * The local BlobStore: one file per key under `<root>` (DATA_DIR/blobs).
 * Callers store only ciphertext (the Crypto port seals before `put`), so the
 * files are opaque at rest. A put writes a temp file, fsyncs it, renames it
 * over the key and fsyncs the directory: when it resolves, the bytes survive
 * a crash or power cut, which is what lets the SMTP intake answer 250.
 */
export class FileBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const path = this.#path(key);
    const dir = dirname(path);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const temp = join(dir, `.tmp-${randomBytes(8).toString('hex')}`);
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, path);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
    await syncDir(dir);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.#path(key)));
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.#path(key));
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }

  /** Keys starting with `prefix`, sorted; temp files of unfinished puts are never listed. */
  async list(prefix: string): Promise<string[]> {
    // Walk only the directory the prefix names, not the whole store.
    const slash = prefix.lastIndexOf('/');
    const base = slash >= 0 ? prefix.slice(0, slash) : '';
    if (base) checkKey(base);
    const out: string[] = [];
    const walk = async (dir: string, keyPrefix: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (isMissing(err)) return;
        throw err;
      }
      for (const e of entries) {
        if (e.name.startsWith('.')) continue;
        const key = keyPrefix ? `${keyPrefix}/${e.name}` : e.name;
        if (e.isDirectory()) {
          if (`${key}/`.startsWith(prefix) || prefix.startsWith(`${key}/`))
            await walk(join(dir, e.name), key);
        } else if (e.isFile() && key.startsWith(prefix)) {
          out.push(key);
        }
      }
    };
    await walk(base ? join(this.root, ...base.split('/')) : this.root, base);
    return out.sort();
  }

  #path(key: string): string {
    checkKey(key);
    return join(this.root, ...key.split('/'));
  }
}

/** Keys are ours (ids and fixed prefixes), but a bug must never write outside the root. */
function checkKey(key: string): void {
  const ok = key.split('/').every((s) => /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}$/.test(s));
  if (!ok || key.length > 1000) throw new Error('invalid blob key');
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
