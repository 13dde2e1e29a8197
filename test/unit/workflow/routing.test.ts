import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '#core/config.ts';
import { choosePartners, suggestPartners } from '#core/workflow/routing.ts';

const config = parseConfig(JSON.parse(readFileSync('config/montfoort.example.json', 'utf8')));
const facts = (
  over: {
    urgency?: 'normal' | 'acute';
    form?: 'labour' | 'sexual';
    perpetrators?: number;
    orgs?: number;
  } = {},
) => ({
  classification: {
    urgency: over.urgency ?? 'normal',
    exploitationForm: over.form ?? 'sexual',
  } as const,
  content: {
    persons: Array.from({ length: over.perpetrators ?? 0 }, () => ({
      role: 'perpetrator' as const,
    })),
    organisations: Array.from({ length: over.orgs ?? 0 }, () => ({})),
  },
});
const ids = (f: ReturnType<typeof facts>) => suggestPartners(config, f).map((s) => s.partner.id);

describe('routing suggestions (policy 4.2 step 4)', () => {
  it('always suggests the zorgcoördinator, as required', () => {
    const s = suggestPartners(config, facts());
    expect(s).toEqual([
      expect.objectContaining({
        required: true,
        partner: expect.objectContaining({ id: 'zorgcoordinator' }),
      }),
    ]);
  });

  it('suggests Politie AVIM for an acute signal and says why', () => {
    const avim = suggestPartners(config, facts({ urgency: 'acute' })).find(
      (s) => s.partner.id === 'politie-avim',
    );
    expect(avim?.reasons).toEqual(['Het signaal is acuut: direct ingrijpen kan nodig zijn.']);
  });

  it('suggests the labour inspectorate for labour exploitation', () => {
    expect(ids(facts({ form: 'labour' }))).toEqual(['zorgcoordinator', 'nla']);
  });

  it('suggests the RIEC when a network of perpetrators shows', () => {
    expect(ids(facts({ perpetrators: 2 }))).toContain('riec');
    expect(ids(facts({ perpetrators: 1, orgs: 1 }))).toContain('riec');
    expect(ids(facts({ perpetrators: 1 }))).not.toContain('riec');
  });

  it('keeps the zorgcoördinator in even when the officer leaves it out', () => {
    const r = choosePartners(config, suggestPartners(config, facts()), ['om'], undefined);
    expect(r.ok && r.partners.map((p) => p.id)).toEqual(['zorgcoordinator', 'om']);
  });

  it('needs a reason to leave out a suggestion, and refuses unknown partners', () => {
    const s = suggestPartners(config, facts({ form: 'labour' }));
    expect(choosePartners(config, s, [], undefined)).toEqual({
      ok: false,
      reason: expect.stringContaining('Schrijf kort waarom'),
    });
    expect(choosePartners(config, s, [], 'NLA is al betrokken').ok).toBe(true);
    expect(choosePartners(config, s, ['nla', 'evil'], undefined).ok).toBe(false);
  });
});
