import { parseArgs } from 'node:util';
import { systemClock } from '#adapters/system.ts';
import type { Clock } from '#core/ports.ts';
import { openLocal } from './offline.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * `npm run retention [-- --now 2032-01-01T00:00:00Z]`: one retention run now.
 * `--now` moves the clock (to try what the job will do in a few years).
 */
async function main() {
  const { values } = parseArgs({ options: { now: { type: 'string' } } });
  let clock: Clock = systemClock;
  if (values.now !== undefined) {
    const at = new Date(values.now);
    if (Number.isNaN(at.getTime()))
      throw new Error('--now must be an ISO date-time, e.g. 2032-01-01T00:00:00Z');
    clock = { now: () => new Date(at) };
  }
  const local = await openLocal(clock);
  try {
    const r = await local.retention.run();
    process.stdout.write(
      `Retention run at ${clock.now().toISOString()}: erased ${r.erased} signal(s), finished ${r.cleanedUp} interrupted erasure(s), deleted ${r.rawMailDeleted} raw mail(s)\n`,
    );
  } finally {
    await local.close();
  }
}

main().catch((err: Error) => {
  process.stderr.write(`retention failed: ${err.message}\n`);
  process.exit(1);
});
