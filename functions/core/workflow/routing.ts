import type { Config, Partner } from '../config.ts';
import type { Classification, ContentPart } from '../signal.ts';

/**
 * Step 4 of the policy as suggestions: very serious → Politie AVIM, labour
 * exploitation → the labour inspectorate, a network of perpetrators → the
 * RIEC, and always the zorgcoördinator. The officer confirms or overrides.
 */

export type Suggestion = {
  partner: Partner;
  /** Dutch, shown next to the partner. */
  reasons: string[];
  /** alwaysInclude partners: pre-checked and not removable. */
  required: boolean;
};

export type RoutingFacts = {
  classification: Pick<Classification, 'urgency' | 'exploitationForm'>;
  content: Pick<ContentPart, 'persons' | 'organisations'>;
  tags?: readonly string[] | undefined;
};

/** A network shows when several possible perpetrators, or a perpetrator with a business, are named. */
export function looksLikeNetwork(facts: RoutingFacts): boolean {
  const perpetrators = facts.content.persons.filter((p) => p.role === 'perpetrator').length;
  return (
    perpetrators >= 2 ||
    (perpetrators >= 1 && facts.content.organisations.length >= 1) ||
    (facts.tags ?? []).includes('netwerk')
  );
}

export function suggestPartners(config: Config, facts: RoutingFacts): Suggestion[] {
  const reasons = {
    acute:
      facts.classification.urgency === 'acute'
        ? 'Het signaal is acuut: direct ingrijpen kan nodig zijn.'
        : undefined,
    labour: ['labour', 'combination'].includes(facts.classification.exploitationForm)
      ? 'Er is mogelijk sprake van arbeidsuitbuiting.'
      : undefined,
    network: looksLikeNetwork(facts)
      ? 'Er lijkt een netwerk van daders achter te zitten.'
      : undefined,
  } as const;
  const out: Suggestion[] = [];
  for (const partner of config.partners) {
    const why: string[] = [];
    if (partner.alwaysInclude)
      why.push('Volgens de meldroute wordt deze partner altijd ingelicht.');
    for (const rule of partner.suggestFor) {
      const r = reasons[rule];
      if (r) why.push(r);
    }
    if (why.length) out.push({ partner, reasons: why, required: partner.alwaysInclude });
  }
  return out;
}

export type PartnerChoice =
  | { ok: true; partners: Partner[]; skippedSuggestions: Partner[] }
  | { ok: false; reason: string };

/**
 * The officer's pick, checked: unknown ids are refused, required partners are
 * always in, and leaving out a suggestion needs a reason.
 */
export function choosePartners(
  config: Config,
  suggestions: readonly Suggestion[],
  selectedIds: readonly string[],
  overrideReason: string | undefined,
): PartnerChoice {
  const byId = new Map(config.partners.map((p) => [p.id, p]));
  for (const id of selectedIds) {
    if (!byId.has(id)) return { ok: false, reason: 'Kies ketenpartners uit de lijst.' };
  }
  const ids = new Set(selectedIds);
  for (const s of suggestions) if (s.required) ids.add(s.partner.id);
  const skipped = suggestions
    .filter((s) => !s.required && !ids.has(s.partner.id))
    .map((s) => s.partner);
  if (skipped.length > 0 && !overrideReason?.trim()) {
    return {
      ok: false,
      reason: `U kiest ${skipped.map((p) => p.name).join(' en ')} niet, terwijl Meldroute dat voorstelt. Schrijf kort waarom.`,
    };
  }
  const partners = config.partners.filter((p) => ids.has(p.id));
  return { ok: true, partners, skippedSuggestions: skipped };
}
