import {
  CHANNELS,
  EXPLOITATION_FORMS,
  INDICATORS,
  URGENCIES,
  VULNERABILITIES,
} from '#core/catalog.ts';
import type { Config } from '#core/config.ts';
import { OUTCOMES } from '#core/signal.ts';
import { labelOf } from './format.ts';

/** Dutch words for the measures and their rows (the CSV keeps the stable codes). */

export const MEASURE_TITLES: Readonly<Record<string, string>> = {
  signals_received: 'Signalen ontvangen',
  signals_by_month: 'Signalen per maand',
  signals_by_channel: 'Signalen per kanaal',
  signals_by_reporter_kind: 'Interne en externe melders',
  signals_by_source_team: 'Signalen per team van de melder',
  signals_by_exploitation_form: 'Signalen per vorm van uitbuiting',
  signals_by_urgency: 'Signalen per urgentie',
  signals_by_indicator: 'Signalen per punt van de signalenkaart',
  signals_by_vulnerability: 'Signalen per kwetsbaarheid (doelgroep)',
  signals_handed_over: 'Signalen doorgezet naar een ketenpartner',
  signals_by_partner: 'Signalen per ketenpartner',
  handovers_feedback: 'Terugkoppeling van ketenpartners',
  days_to_first_handover: 'Dagen van ontvangst tot eerste overdracht',
  days_handover_to_feedback: 'Dagen van overdracht tot terugkoppeling',
  signals_by_outcome: 'Signalen per uitkomst bij afsluiten',
};

const FIXED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  signals_by_channel: CHANNELS,
  signals_by_reporter_kind: { internal: 'Medewerker van de gemeente', external: 'Externe melder' },
  signals_by_exploitation_form: EXPLOITATION_FORMS,
  signals_by_urgency: URGENCIES,
  signals_by_indicator: INDICATORS,
  signals_by_vulnerability: VULNERABILITIES,
  signals_handed_over: { yes: 'Ja, doorgezet', no: 'Nee, (nog) niet doorgezet' },
  handovers_feedback: {
    on_time: 'Op tijd ontvangen',
    late: 'Te laat ontvangen',
    missing: 'Ontbreekt (termijn verstreken)',
    waiting: 'Nog binnen de termijn',
  },
  signals_by_outcome: { ...OUTCOMES, not_closed: 'Nog niet afgesloten' },
  days_to_first_handover: { median: 'Mediaan', p90: '90e percentiel' },
  days_handover_to_feedback: { median: 'Mediaan', p90: '90e percentiel' },
};

const month = new Intl.DateTimeFormat('nl-NL', { month: 'long', year: 'numeric', timeZone: 'UTC' });

export function breakdownLabel(config: Config | undefined, measure: string, code: string): string {
  if (code === 'total') return 'Totaal';
  if (code === 'other') return 'Anders';
  if (code === 'unknown') return 'Onbekend';
  if (measure === 'signals_by_month') {
    const d = new Date(`${code}-01T00:00:00Z`);
    return Number.isNaN(d.getTime()) ? code : month.format(d);
  }
  if (measure === 'signals_by_partner') {
    return config?.partners.find((p) => p.id === code)?.name ?? code;
  }
  const catalog = FIXED[measure];
  return catalog ? labelOf(catalog, code) : code;
}
