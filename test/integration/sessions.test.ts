import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { DynamoAuthAudit } from '#adapters/dynamo/auth-audit.ts';
import { DynamoAuthStore } from '#adapters/dynamo/auth-store.ts';
import { DynamoOutboxStore } from '#adapters/dynamo/outbox-store.ts';
import { parseConfig } from '#core/config.ts';
import { mailContext, openJson } from '#core/sealing.ts';
import {
  checkSignInLink,
  confirmSignIn,
  requestSignInLink,
  resumeSession,
} from '#core/use-cases/sign-in.ts';
import { testTable } from '../support/dynamo.ts';
import { counterIds, echoRenderer, fixedClock, testCrypto } from '../support/fakes.ts';

const config = parseConfig(JSON.parse(readFileSync('config/montfoort.example.json', 'utf8')));

describe('sign-in links and sessions', () => {
  let t: Awaited<ReturnType<typeof testTable>>;
  const crypto = testCrypto();
  const clock = fixedClock('2026-05-04T08:00:00Z');
  let deps: Parameters<typeof requestSignInLink>[0];

  beforeAll(async () => {
    t = await testTable();
    deps = {
      config,
      auth: new DynamoAuthStore(t.doc, t.table),
      authAudit: new DynamoAuthAudit(t.doc, t.table, () => String(Math.random()).slice(2)),
      crypto,
      clock,
      ids: counterIds(),
      render: echoRenderer,
    };
  });
  afterAll(() => t.close());

  /** Requests a link and reads the token back out of the sealed pending mail. */
  async function tokenFor(email: string): Promise<string> {
    expect(await requestSignInLink(deps, { email, clientKey: `c-${email}` })).toBe('sent');
    const outbox = new DynamoOutboxStore(t.doc, t.table);
    for (const p of await outbox.listPending(100, clock.now().toISOString())) {
      const mail = await openJson(
        crypto,
        p.cipher,
        mailContext('montfoort', p.ownerId),
        z.object({ to: z.array(z.string()), text: z.string() }),
      );
      if (mail.to[0] === email) {
        await outbox.claim(p.ownerKind, p.ownerId, p.mailId, clock.now().toISOString(), '0');
        await outbox.markSent(p.ownerKind, p.ownerId, p.mailId, clock.now().toISOString());
        return mail.text.match(/aanmelden\/([\w-]+)/)?.[1] ?? '';
      }
    }
    throw new Error('no link');
  }

  it('makes a link that expires after ten minutes', async () => {
    const token = await tokenFor('a@montfoort.example');
    expect(token.length).toBeGreaterThanOrEqual(43); // 256 bits in base64url
    clock.advance(9 * 60_000);
    expect(await checkSignInLink(deps, token)).toBe(true);
    clock.advance(2 * 60_000);
    expect(await checkSignInLink(deps, token)).toBe(false);
    expect(await confirmSignIn(deps, token)).toBeUndefined();
  });

  it('stores only a hash of the link token', async () => {
    const token = await tokenFor('b@montfoort.example');
    const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    const items = await t.doc.send(new ScanCommand({ TableName: t.table }));
    expect(JSON.stringify(items.Items)).not.toContain(token);
  });

  it('ends a session after 30 idle minutes', async () => {
    const token = await tokenFor('c@montfoort.example');
    const s = await confirmSignIn(deps, token);
    expect(s?.session.role).toBe('staff');
    clock.advance(29 * 60_000);
    expect(await resumeSession(deps, s?.sessionId as string)).toBeDefined();
    clock.advance(29 * 60_000);
    expect(await resumeSession(deps, s?.sessionId as string)).toBeDefined();
    clock.advance(31 * 60_000);
    expect(await resumeSession(deps, s?.sessionId as string)).toBeUndefined();
  });

  it('ends a busy session after 12 hours however active', async () => {
    const s = await confirmSignIn(deps, await tokenFor('aandachtsfunctionaris@montfoort.example'));
    expect(s?.session.role).toBe('officer');
    for (let i = 0; i < 35; i++) {
      clock.advance(20 * 60_000); // active every 20 minutes, 11 h 40 in all
      expect(await resumeSession(deps, s?.sessionId as string)).toBeDefined();
    }
    clock.advance(21 * 60_000);
    expect(await resumeSession(deps, s?.sessionId as string)).toBeUndefined();
  });

  it('mails nothing to an address that is neither staff nor officer', async () => {
    expect(await requestSignInLink(deps, { email: 'x@elders.example', clientKey: 'k' })).toBe(
      'ignored',
    );
  });
});
