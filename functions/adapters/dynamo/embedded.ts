import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

/**
 * The embedded DynamoDB for `npm start` and tests: dynalite on a loopback port,
 * data on disk under `path` (or in memory when no path is given).
 */
export async function startEmbeddedDynamo(
  options: { path?: string; port?: number } = {},
): Promise<{ endpoint: string; close(): Promise<void> }> {
  closeLevelIteratorsOnDestroy();
  const server: Server = dynalite({
    ...(options.path ? { path: options.path } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}

let patched = false;

/**
 * dynalite 4.0.0 turns LevelDB iterators into streams whose destroy() calls
 * `iterator.return()`, which abstract-level 3 iterators do not have (theirs
 * is `close()`). So every Query and Scan left its iterator open, attached to
 * the database with its buffered values and its native LevelDB iterator: a
 * running `npm start` grew by about 2 MB per form post (the outbox sweep
 * queries after every write), 670 MB after 330 posts (bench/README.md,
 * memory row). Giving the iterators the `return()` that dynalite calls
 * closes them. Local mode only: nothing on AWS loads dynalite.
 */
function closeLevelIteratorsOnDestroy(): void {
  if (patched) return;
  patched = true;
  // The abstract-level that dynalite's `level` loads, wherever npm placed it.
  const level = createRequire(createRequire(import.meta.url).resolve('dynalite')).resolve('level');
  const abstract = createRequire(level)('abstract-level') as Record<string, unknown>;
  for (const name of ['AbstractIterator', 'AbstractKeyIterator', 'AbstractValueIterator']) {
    const proto = (abstract[name] as { prototype?: Record<string, unknown> } | undefined)
      ?.prototype;
    if (!proto || 'return' in proto || typeof proto.close !== 'function') continue;
    Object.defineProperty(proto, 'return', {
      configurable: true,
      writable: true,
      value(this: { close(): Promise<void> }) {
        return this.close().then(() => ({ done: true, value: undefined }));
      },
    });
  }
}
