import { randomBytes } from 'node:crypto';
import { EncryptionSdkCrypto, rawAesKeyring } from '#adapters/crypto/encryption-sdk.ts';
import type { Clock, EmailRenderer, IdGenerator, Logger } from '#core/ports.ts';

export function fixedClock(
  iso: string,
): Clock & { set(iso: string): void; advance(ms: number): void } {
  let now = new Date(iso);
  return {
    now: () => new Date(now),
    set: (v) => {
      now = new Date(v);
    },
    advance: (ms) => {
      now = new Date(now.getTime() + ms);
    },
  };
}

export function counterIds(): IdGenerator {
  let n = 0;
  return {
    id: () => `id${String(++n).padStart(12, '0')}`,
    token: (bytes = 32) => randomBytes(bytes).toString('base64url'),
  };
}

export function testCrypto() {
  return new EncryptionSdkCrypto(rawAesKeyring(randomBytes(32)));
}

/** Renders a template as a visible list of its inputs: enough for use-case tests. */
export const echoRenderer: EmailRenderer = async (template, data) => ({
  subject: `${template} ${String(data.reference ?? '')}`.trim(),
  html: `<p>${template}</p>`,
  text: Object.entries(data)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join('\n'),
});

export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: object) => {
    lines.push(JSON.stringify({ level, message, ...fields }));
  };
  return { lines, info: log('info'), warn: log('warn'), error: log('error') };
}
