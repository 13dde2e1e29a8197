import { createHash, timingSafeEqual } from 'node:crypto';

/** Secrets (tokens, session ids) are stored only as this hash. */
export function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A stable id from an idempotency key: the same submission always maps to the same signal. */
export function idFromKey(namespace: string, key: string): string {
  return createHash('sha256').update(`${namespace}\u0000${key}`).digest('hex').slice(0, 26);
}
