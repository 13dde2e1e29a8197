import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * A secret key kept in a file (mode 0600), made on first start and reused
 * after. Losing it makes every stored signal unreadable, so it is never
 * overwritten: an existing file of the wrong size stops the start.
 */
export async function loadOrCreateKey(path: string, bytes = 32): Promise<Uint8Array> {
  try {
    const key = await readFile(path);
    if (key.length !== bytes) throw new Error(`key file ${path} must hold ${bytes} bytes`);
    return new Uint8Array(key);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const key = randomBytes(bytes);
  try {
    await writeFile(path, key, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process made it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateKey(path, bytes);
    throw err;
  }
  await chmod(path, 0o600);
  return new Uint8Array(key);
}
