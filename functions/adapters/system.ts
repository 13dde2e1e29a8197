import { randomBytes } from 'node:crypto';
import type { Clock, IdGenerator, Logger } from '#core/ports.ts';

export const systemClock: Clock = { now: () => new Date() };

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

function base32(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += CROCKFORD[b & 31];
  return out;
}

export const randomIds: IdGenerator = {
  id() {
    // 10 chars of time (ms, big-endian base32) then 16 random: sortable and unique.
    let t = Date.now();
    let time = '';
    for (let i = 0; i < 10; i++) {
      time = CROCKFORD[t % 32] + time;
      t = Math.floor(t / 32);
    }
    return time + base32(randomBytes(16));
  },
  token(bytes = 32) {
    return randomBytes(Math.max(bytes, 16)).toString('base64url');
  },
};

/** JSON lines on stdout/stderr: ids and codes only (callers never pass personal data). */
export function jsonLogger(service: string, quiet = false): Logger {
  const write =
    (level: string, stream: NodeJS.WriteStream) =>
    (message: string, fields: Record<string, string | number | boolean> = {}) => {
      if (quiet && level === 'info') return;
      stream.write(
        `${JSON.stringify({ level, time: new Date().toISOString(), service, message, ...fields })}\n`,
      );
    };
  return {
    info: write('info', process.stdout),
    warn: write('warn', process.stderr),
    error: write('error', process.stderr),
  };
}
