import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBlobStore } from '#adapters/blob/file-blob-store.ts';
import { DynamoRetentionStore } from '#adapters/dynamo/retention-store.ts';
import { DynamoSignalStore } from '#adapters/dynamo/signal-store.ts';
import { parseConfig } from '#core/config.ts';
import { contexts } from '#core/mail/raw-mail.ts';
import { sealJson } from '#core/sealing.ts';
import { auditOfSignal } from '#core/use-cases/audit-export.ts';
import { eraseSignal, runRetention } from '#core/use-cases/erasure.ts';
import { figuresFor } from '#core/use-cases/monitoring.ts';
import { submitSignal } from '#core/use-cases/submit-signal.ts';
import { scanAll, testTable } from '../support/dynamo.ts';
import { counterIds, echoRenderer, fixedClock, testCrypto } from '../support/fakes.ts';
import { markedSubmission } from '../support/submission.ts';

const config = parseConfig(JSON.parse(readFileSync('config/montfoort.example.json', 'utf8')));
const enc = new TextEncoder();

async function filesUnder(dir: string): Promise<string> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(await readFile(join(e.parentPath, e.name), 'latin1'));
  }
  return out.join('\n');
}

describe('retention and erasure', () => {
  let t: Awaited<ReturnType<typeof testTable>>;
  let blobDir: string;
  const crypto = testCrypto();
  const clock = fixedClock('2020-03-02T09:00:00Z');
  let deps: Parameters<typeof runRetention>[0];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await testTable();
    blobDir = await mkdtemp(join(tmpdir(), 'meldroute-blobs-'));
    const store = new DynamoSignalStore(t.doc, t.table);
    deps = {
      config,
      store,
      retention: new DynamoRetentionStore(t.doc, t.table),
      blobs: new FileBlobStore(blobDir),
      crypto,
      clock,
    };
    const submit = { config, store, crypto, clock, ids: counterIds(), render: echoRenderer };
    // OLDMARK: closed mid-2020, past five years by 2026. NEWMARK: closed 2024. OPENMARK: still open.
    for (const [marker, closedAt] of [
      ['OLDMARK', '2020-06-01T10:00:00Z'],
      ['NEWMARK', '2024-06-01T10:00:00Z'],
      ['OPENMARK', undefined],
    ] as const) {
      const r = await submitSignal(submit, {
        submission: markedSubmission(marker),
        channel: 'form',
        idempotencyKey: marker,
      });
      ids[marker] = r.signalId;
      const s = await store.get(r.signalId);
      if (!s) throw new Error('stored');
      const closed = closedAt
        ? { status: 'closed' as const, closedAt, outcome: 'handed_over' as const }
        : { status: 'in_progress' as const };
      expect(
        await store.update(
          { ...s, ...closed, version: s.version + 1, updatedAt: s.receivedAt },
          s.version,
        ),
      ).toBe(true);
      // What the mail intake and the blind index leave behind for this signal.
      await deps.blobs.put(`attachments/${r.signalId}/a1`, enc.encode(`attachment ${marker}`));
      await deps.blobs.put(`mail-headers/${r.signalId}`, enc.encode(`headers ${marker}`));
      await deps.blobs.put(`raw/raw-${marker.toLowerCase()}`, enc.encode(`raw ${marker}`));
      await deps.blobs.put(
        `processed/raw-${marker.toLowerCase()}`,
        await sealJson(
          crypto,
          { kind: 'signal', signalId: r.signalId, at: s.receivedAt },
          contexts.processed(config.municipality.code, `raw-${marker.toLowerCase()}`),
        ),
      );
      await t.doc.send(
        new PutCommand({
          TableName: t.table,
          Item: {
            pk: `BIX#hmac-${marker}`,
            sk: `SIG#${r.signalId}`,
            reference: s.reference,
            note: marker,
          },
        }),
      );
    }
  });
  afterAll(async () => {
    await t.close();
    await rm(blobDir, { recursive: true, force: true });
  });

  it('erases expired closed signals, keeps the figures, and leaves no trace of them', async () => {
    const period = { from: '2020-01-01', to: '2020-12-31' };
    clock.set('2026-01-02T03:00:00Z');
    const before = await figuresFor(deps, period);
    expect(before.measures.find((m) => m.code === 'signals_by_outcome')).toMatchObject({
      total: 3,
      rows: expect.arrayContaining([
        { breakdown: 'handed_over', value: 2 },
        { breakdown: 'not_closed', value: 1 },
      ]),
    });
    const result = await runRetention(deps);
    expect(result.erased).toBe(1);
    expect(await figuresFor(deps, period)).toEqual(before);

    const old = ids.OLDMARK as string;
    const items = await scanAll(t.doc, t.table);
    const raw = JSON.stringify(items);
    expect(raw).not.toContain('OLDMARK');
    expect(raw).not.toContain('MH-2020-0001');
    const left = items.filter((i) => JSON.stringify(i).includes(old));
    expect(left.map((i) => i.sk).sort()).toEqual(['A']);
    expect(left[0]).not.toHaveProperty('contentCipher');
    expect(left[0]).not.toHaveProperty('reporterCipher');
    expect(left[0]).not.toHaveProperty('events');
    const files = await filesUnder(blobDir);
    expect(files).not.toContain('OLDMARK');
    expect(files).toContain('NEWMARK');
    expect(await deps.store.get(ids.NEWMARK as string)).toBeDefined();
    expect(await deps.store.get(old)).toBeUndefined();
  });

  it('lets the officer erase one signal early, and the erasure stays in the audit trail', async () => {
    const id = ids.OPENMARK as string;
    await deps.store.appendAudit(id, {
      at: clock.now().toISOString(),
      actor: 'af@montfoort.example',
      type: 'viewed',
    });
    const r = await eraseSignal(deps, {
      id,
      actor: 'af@montfoort.example',
      reason: 'filed_in_error',
    });
    expect(r.erased).toBe(true);
    expect(JSON.stringify(await scanAll(t.doc, t.table))).not.toContain('OPENMARK');
    expect(await filesUnder(blobDir)).not.toContain('OPENMARK');
    const audit = await auditOfSignal(deps, id);
    expect(audit?.map((a) => a.action)).toEqual(['viewed', 'erased']);
    expect(audit?.at(-1)).toMatchObject({
      actor: 'af@montfoort.example',
      detail: 'filed_in_error',
    });
  });
});
