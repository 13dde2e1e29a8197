import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HmacBlindIndex, HmacLinkSigner } from '#adapters/crypto/hmac.ts';
import { DynamoBlindIndexStore } from '#adapters/dynamo/blind-index-store.ts';
import { DynamoOutboxStore } from '#adapters/dynamo/outbox-store.ts';
import { DynamoSignalStore } from '#adapters/dynamo/signal-store.ts';
import { DynamoWorkLists } from '#adapters/dynamo/work-lists.ts';
import { parseConfig } from '#core/config.ts';
import { findKnown, rebuildBlindIndex } from '#core/known/already-known.ts';
import type { OutgoingEmail } from '#core/ports.ts';
import { openJson } from '#core/sealing.ts';
import { ContentPartSchema } from '#core/signal.ts';
import { deliverOutbox } from '#core/use-cases/deliver-outbox.ts';
import { recordMailEvent } from '#core/use-cases/mail-events.ts';
import { submitSignal } from '#core/use-cases/submit-signal.ts';
import type { WorkflowDeps } from '#core/use-cases/workflow/change.ts';
import {
  planHandover,
  resendPartnerLink,
  sendHandover,
} from '#core/use-cases/workflow/hand-over.ts';
import { closeNoResponse, revokePartnerLink } from '#core/use-cases/workflow/manage-handover.ts';
import { addNote, closeSignal } from '#core/use-cases/workflow/officer-actions.ts';
import {
  openPartnerLink,
  partnerReplyHook,
  recordPartnerFeedback,
} from '#core/use-cases/workflow/partner-feedback.ts';
import { emailRenderer } from '#templates/render.ts';
import { scanAll, testTable } from '../support/dynamo.ts';
import { counterIds, fixedClock, testCrypto } from '../support/fakes.ts';
import { markedSubmission } from '../support/submission.ts';

const config = parseConfig(JSON.parse(readFileSync('config/montfoort.example.json', 'utf8')));
const OFFICER = 'aandachtsfunctionaris@montfoort.example';

describe('the officer route against dynalite', () => {
  let t: Awaited<ReturnType<typeof testTable>>;
  let deps: WorkflowDeps & { ids: ReturnType<typeof counterIds> };
  let lists: DynamoWorkLists;
  const clock = fixedClock('2026-03-02T09:00:00Z');

  beforeAll(async () => {
    t = await testTable('meldroute-workflow');
    lists = new DynamoWorkLists(t.doc, t.table);
    deps = {
      config,
      store: new DynamoSignalStore(t.doc, t.table),
      crypto: testCrypto(),
      clock,
      render: emailRenderer,
      ids: counterIds(),
      linkSigner: new HmacLinkSigner(randomBytes(32)),
      blindIndex: new HmacBlindIndex(randomBytes(32)),
      blindIndexStore: new DynamoBlindIndexStore(t.doc, t.table),
    };
  });
  afterAll(() => t.close());

  const kd = () => {
    if (!deps.blindIndex || !deps.blindIndexStore) throw new Error('blind index not wired');
    return { blindIndex: deps.blindIndex, blindIndexStore: deps.blindIndexStore };
  };
  const submit = (marker: string, key: string) =>
    submitSignal(deps, {
      submission: markedSubmission(marker),
      channel: 'form',
      idempotencyKey: key,
    });
  const content = async (id: string) => {
    const s = await deps.store.get(id);
    if (!s) throw new Error('no signal');
    return {
      s,
      c: await openJson(
        deps.crypto,
        s.contentCipher,
        { municipality: 'montfoort', signalId: id, part: 'content' },
        ContentPartSchema,
      ),
    };
  };
  const handOver = (signalId: string, selected: string[], text = 'Overdrachtstekst.') =>
    sendHandover(deps, {
      signalId,
      actor: OFFICER,
      request: {
        selected,
        texts: Object.fromEntries(['zorgcoordinator', ...selected].map((p) => [p, text])),
      },
    });

  it('finds earlier signals sharing an identifier through the blind index, and stores no identifier in clear', async () => {
    const a = await submit('KNOWNA', 'ka');
    const b = await submit('KNOWNB', 'kb'); // same KvK and phones as every markedSubmission
    const { s, c } = await content(b.signalId);
    const known = await findKnown(kd(), s, c);
    const match = known.find((k) => k.signalId === a.signalId);
    expect(match?.reference).toBe(a.reference);
    expect(match?.kinds).toEqual(expect.arrayContaining(['organisation', 'phone']));
    const raw = JSON.stringify(await scanAll(t.doc, t.table));
    expect(raw).toContain('BIX#');
    expect(raw).not.toContain('12345678'); // the KvK number
    expect(raw).not.toContain('0687654321');
  });

  it('rebuilds the blind index idempotently (same items, no duplicates)', async () => {
    const before = (await scanAll(t.doc, t.table)).filter((i) =>
      String(i.pk).startsWith('BIX#'),
    ).length;
    const r = await rebuildBlindIndex({ ...deps, ...kd() });
    expect(r.signals).toBeGreaterThanOrEqual(2);
    const after = (await scanAll(t.doc, t.table)).filter((i) =>
      String(i.pk).startsWith('BIX#'),
    ).length;
    expect(after).toBe(before);
  });

  it('indexes what a note reveals, so the next lookup finds it', async () => {
    const x = await submit('NOTEX', 'nx');
    const y = await submit('NOTEY', 'ny');
    await addNote(deps, {
      signalId: x.signalId,
      actor: OFFICER,
      text: 'Auto met kenteken 99-XYZ-1 gezien.',
    });
    await addNote(deps, { signalId: y.signalId, actor: OFFICER, text: 'Zelfde auto: 99-xyz-1.' });
    const { s, c } = await content(y.signalId);
    const known = await findKnown(kd(), s, c, ['Zelfde auto: 99-xyz-1.']);
    expect(known.find((k) => k.signalId === x.signalId)?.kinds).toContain('plate');
  });

  it('puts open handovers in the sparse due index by their earliest due date, and takes them out when answered', async () => {
    const r = await submit('DUE1', 'due1');
    const sent = await handOver(r.signalId, ['nla']);
    expect(sent.ok).toBe(true);
    const s = await deps.store.get(r.signalId);
    expect(s?.handovers?.map((h) => [h.partnerId, h.dueDate])).toEqual([
      ['zorgcoordinator', '2026-03-16'],
      ['nla', '2026-03-16'],
    ]);
    expect(s?.status).toBe('handed_over');
    expect((await lists.dueBy('2026-03-13', 50)).items.map((i) => i.signalId)).not.toContain(
      r.signalId,
    );
    expect((await lists.dueBy('2026-03-16', 50)).items).toContainEqual({
      signalId: r.signalId,
      dueDate: '2026-03-16',
    });
    await recordPartnerFeedback(deps, {
      signalId: r.signalId,
      handoverId: 'h1',
      via: 'page',
      feedback: { actions: 'Opgepakt.' },
    });
    expect((await lists.dueBy('2026-12-31', 50)).items.map((i) => i.signalId)).toContain(
      r.signalId,
    );
    await closeNoResponse(deps, { signalId: r.signalId, handoverId: 'h2', actor: OFFICER });
    expect((await lists.dueBy('2026-12-31', 50)).items.map((i) => i.signalId)).not.toContain(
      r.signalId,
    );
    const item = (await scanAll(t.doc, t.table)).find((i) => i.id === r.signalId && i.sk === 'A');
    expect(item?.duePk).toBeUndefined();
  });

  it('turns an email reply to the plus-address into feedback, once per message, also after the link was revoked', async () => {
    const r = await submit('MAIL1', 'mail1');
    await handOver(r.signalId, ['nla']);
    const s = await deps.store.get(r.signalId);
    const h = s?.handovers?.[0];
    const { issuePartnerToken } = await import('#core/workflow/partner-link.ts');
    const token = issuePartnerToken(deps.linkSigner, {
      signalId: r.signalId,
      handoverId: 'h1',
      version: 1,
      expiresAt: new Date(h?.tokenExpiresAt ?? ''),
    });
    await revokePartnerLink(deps, { signalId: r.signalId, handoverId: 'h1', actor: OFFICER });
    expect((await openPartnerLink(deps, { token })).ok).toBe(false);
    const hook = partnerReplyHook(deps);
    const reply = {
      message: { text: 'Wij pakken dit op. MAILFEEDBACK', messageId: '<x1@moviera.example>' },
      tokens: ['other', token],
    };
    expect(await hook(reply)).toEqual({ signalId: r.signalId, handoverId: 'h1' });
    expect(await hook(reply)).toEqual({ signalId: r.signalId, handoverId: 'h1' });
    const after = await deps.store.get(r.signalId);
    expect(after?.handovers?.[0]?.feedback).toHaveLength(1);
    expect(after?.handovers?.[0]?.state).toBe('feedback_received');
    expect(after?.status).toBe('feedback_received');
    expect(
      await hook({
        message: { text: 'x' },
        tokens: [`${token.slice(0, -1)}${token.endsWith('a') ? 'b' : 'a'}`],
      }),
    ).toBeUndefined();
  });

  it('mails a new link for a revoked handover: old links stay dead, reminders may chase again, the register counts it', async () => {
    const r = await submit('RESEND1', 'resend1');
    await handOver(r.signalId, ['nla'], 'Overdracht RESENDTEKST.');
    const { issuePartnerToken } = await import('#core/workflow/partner-link.ts');
    const { linkRevoked } = await import('#core/workflow/reminder-rules.ts');
    const tokenOf = (h: { tokenVersion: number; tokenExpiresAt: string } | undefined) =>
      issuePartnerToken(deps.linkSigner, {
        signalId: r.signalId,
        handoverId: 'h2',
        version: h?.tokenVersion ?? 0,
        expiresAt: new Date(h?.tokenExpiresAt ?? ''),
      });
    const first = tokenOf((await deps.store.get(r.signalId))?.handovers?.[1]);
    // The first mail bounced; the officer fixes the address and sends a new link.
    await recordMailEvent(deps, { kind: 'bounce', mailId: `${r.signalId}-h2-v1` });
    expect((await deps.store.get(r.signalId))?.handovers?.[1]?.mailProblem?.kind).toBe('bounce');
    await revokePartnerLink(deps, { signalId: r.signalId, handoverId: 'h2', actor: OFFICER });
    expect(linkRevoked((await deps.store.get(r.signalId))?.handovers?.[1] as never)).toBe(true);

    const sent = await resendPartnerLink(deps, {
      signalId: r.signalId,
      handoverId: 'h2',
      actor: OFFICER,
    });
    expect(sent.ok).toBe(true);
    const s = await deps.store.get(r.signalId);
    const h = s?.handovers?.[1];
    expect(h?.partnerId).toBe('nla');
    expect(h?.tokenVersion).toBe(3); // sent v1, revoked v2, new v3
    expect(linkRevoked(h as never)).toBe(false);
    expect(h?.mailProblem).toBeUndefined();
    expect(h?.history.map((e) => e.type)).toContain('mail_bounced');
    expect(s?.disclosures?.filter((d) => d.handoverId === 'h2')).toHaveLength(2);
    const opened = await openPartnerLink(deps, { token: tokenOf(h) });
    expect(opened.ok && opened.view.text).toBe('Overdracht RESENDTEKST.');
    expect((await openPartnerLink(deps, { token: first })).ok).toBe(false);

    const mails: OutgoingEmail[] = [];
    await deliverOutbox({
      outbox: new DynamoOutboxStore(t.doc, t.table),
      crypto: deps.crypto,
      mailer: { send: async (m) => void mails.push(m) },
      clock,
      municipality: config.municipality.code,
    });
    const renewed = mails.filter((m) => m.id === `${r.signalId}-h2-v3`);
    expect(renewed).toHaveLength(1);
    expect(renewed[0]?.text).toContain(`/partner/${tokenOf(h)}`);
    expect(renewed[0]?.text).not.toContain('Melder RESEND1');

    const unknown = await resendPartnerLink(deps, {
      signalId: r.signalId,
      handoverId: 'h9',
      actor: OFFICER,
    });
    expect(unknown).toEqual({ ok: false, reason: 'Deze overdracht bestaat niet.' });
  });

  it('keeps both answers when two partners answer at the same moment', async () => {
    const r = await submit('RACE1', 'race1');
    await handOver(r.signalId, ['nla']);
    await Promise.all([
      recordPartnerFeedback(deps, {
        signalId: r.signalId,
        handoverId: 'h1',
        via: 'page',
        feedback: { actions: 'een' },
      }),
      recordPartnerFeedback(deps, {
        signalId: r.signalId,
        handoverId: 'h2',
        via: 'page',
        feedback: { actions: 'twee' },
      }),
    ]);
    const s = await deps.store.get(r.signalId);
    expect(s?.handovers?.map((h) => h.feedback.length)).toEqual([1, 1]);
  });

  it('refuses to close with open handovers and changes nothing', async () => {
    const r = await submit('CLOSE1', 'close1');
    expect((await handOver(r.signalId, ['nla'])).ok).toBe(true);
    const before = await deps.store.get(r.signalId);
    const res = await closeSignal(deps, {
      signalId: r.signalId,
      actor: OFFICER,
      values: { outcome: 'handed_over' },
    });
    expect(res).toEqual({ ok: false, reason: expect.stringContaining('overdrachten open') });
    expect((await deps.store.get(r.signalId))?.version).toBe(before?.version);
  });

  it('plans a handover with the zorgcoördinator required and a draft without the reporter', async () => {
    const r = await submit('PLAN1', 'plan1');
    const plan = await planHandover(deps, { signalId: r.signalId });
    expect(plan?.suggestions.find((s) => s.required)?.partner.id).toBe('zorgcoordinator');
    expect(plan?.draft).toContain('Persoon PLAN1');
    expect(plan?.draft).not.toContain('Melder PLAN1');
  });
});
