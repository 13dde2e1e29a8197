import type { Child } from 'hono/jsx';
import {
  CHANNELS,
  EXPLOITATION_FORMS,
  INDICATOR_GROUPS,
  PERSON_ROLES,
  URGENCIES,
  VULNERABILITIES,
} from '#core/catalog.ts';
import type { Config } from '#core/config.ts';
import type { ViewEvent } from '#core/ports.ts';
import {
  type ContentPart,
  type ReporterPart,
  SIGNAL_STATUSES,
  type SignalEvent,
  type SignalRecord,
  type SignalSummary,
} from '#core/signal.ts';
import { Urgency } from './components.tsx';
import { formatBytes, formatDateTime, labelOf } from './format.ts';
import { Layout, type PageUser } from './layout.tsx';
import { WorkflowNotice, WorkflowPanels, type WorkflowPanelsProps } from './workflow-panels.tsx';

/**
 * One signal, decrypted, for the aandachtsfunctionaris. Everything a user
 * wrote is rendered as text (hono/jsx escapes it); line breaks are kept by CSS.
 */

export type SignalDetailProps = {
  config: Config;
  user: PageUser | undefined;
  csrfToken: string | undefined;
  signal: SignalSummary & { events: readonly SignalEvent[] } & Pick<
      SignalRecord,
      'tags' | 'outcome' | 'closedAt'
    >;
  reporter: ReporterPart;
  content: ContentPart;
  audit: readonly ViewEvent[];
  /** The officer's route (steps 3–6); absent where it is not wired. */
  workflow?: Omit<WorkflowPanelsProps, 'csrfToken' | 'signal'> | undefined;
};

/** Dutch words for history entries; an unknown type is shown as its code. */
export const EVENT_LABELS: Readonly<Record<string, string>> = {
  received: 'Signaal ontvangen',
  viewed: 'Signaal bekeken',
  attachment_viewed: 'Bijlage geopend',
  attachment_downloaded: 'Bijlage gedownload',
  status_changed: 'Status gewijzigd',
  classified: 'Classificatie aangepast',
  note_added: 'Notitie toegevoegd',
  handed_over: 'Doorgezet naar ketenpartner',
  feedback_received: 'Terugkoppeling ontvangen',
  reminder_sent: 'Herinnering verstuurd',
  handover_overdue: 'Overdracht te laat: aandachtsfunctionaris gewaarschuwd',
  reminders_paused: 'Herinneringen gepauzeerd',
  reminders_resumed: 'Herinneringen hervat',
  due_date_changed: 'Nieuwe datum voor terugkoppeling',
  reporter_informed: 'Melder geïnformeerd',
  closed: 'Signaal afgesloten',
  mail_sent: 'E-mail verstuurd',
  reopened: 'Signaal heropend',
  agenda_added: 'Op de agenda van het ondermijningsoverleg gezet',
  agenda_discussed: 'Besproken in het ondermijningsoverleg',
  agenda_removed: 'Van de agenda gehaald',
  agenda_viewed: 'Agenda van het overleg bekeken',
  link_revoked: 'Partnerlink ingetrokken',
  handover_no_response: 'Overdracht afgesloten zonder reactie',
  partner_link_opened: 'Partnerlink geopend',
  partner_link_refused: 'Partnerlink geweigerd',
  handover_prepared: 'Overdracht voorbereid',
  link_renewed: 'Nieuwe partnerlink gemaakt',
  link_resent: 'Nieuwe partnerlink verstuurd',
  reporter_addition: 'Aanvulling van de melder ontvangen',
  headers_viewed: 'Kopregels van de e-mail bekeken',
  addition_viewed: 'Aanvulling van de melder bekeken',
  erased: 'Signaal gewist',
  mail_bounced: 'E-mail kwam niet aan (adres onbekend)',
  mail_complaint: 'E-mail door de ontvanger als ongewenst gemeld',
  audit_exported: 'Logboek gedownload',
};

function Field(props: { label: string; children: Child }) {
  return (
    <div class="utrecht-data-list__item">
      <dt class="utrecht-data-list__item-key">{props.label}</dt>
      <dd class="utrecht-data-list__item-value mr-pre">{props.children}</dd>
    </div>
  );
}

/** Only the fields that have a value; "Niet ingevuld" when none has. */
function Fields(props: { rows: readonly (readonly [string, string | undefined])[] }) {
  const filled = props.rows.filter(([, v]) => v !== undefined && v !== '');
  if (filled.length === 0) return <p class="utrecht-paragraph mr-muted">Niet ingevuld.</p>;
  return (
    <dl class="utrecht-data-list">
      {filled.map(([label, value]) => (
        <Field label={label}>{value}</Field>
      ))}
    </dl>
  );
}

function Section(props: { id: string; title: string; children: Child; note?: string }) {
  return (
    <section class="mr-section" aria-labelledby={props.id}>
      <h2 class="utrecht-heading-2" id={props.id}>
        {props.title}
      </h2>
      {props.note ? <p class="utrecht-paragraph mr-confidential">{props.note}</p> : null}
      {props.children}
    </section>
  );
}

const yesNo = (b: boolean | undefined) => (b === undefined ? undefined : b ? 'Ja' : 'Nee');

export function SignalDetailPage(props: SignalDetailProps) {
  const { signal, reporter: r, content: c } = props;
  const k = signal.classification;
  return (
    <Layout
      title={`Signaal ${signal.reference}`}
      municipality={props.config.municipality.name}
      user={props.user}
      csrfToken={props.csrfToken}
    >
      <p class="utrecht-paragraph">
        <a class="utrecht-link" href="/inbox">
          Terug naar de inbox
        </a>
      </p>
      <h1 class="utrecht-heading-1">Signaal {signal.reference}</h1>
      <ul class="mr-actions-inline">
        <li>
          <a class="utrecht-link" href={`/inbox/${signal.id}/audit.csv`}>
            Logboek downloaden (CSV)
          </a>
        </li>
        <li>
          <a class="utrecht-link" href={`/inbox/${signal.id}/wissen`}>
            Signaal wissen
          </a>
        </li>
      </ul>
      <p class="utrecht-paragraph">
        {labelOf(SIGNAL_STATUSES, signal.status)} · ontvangen{' '}
        <time datetime={signal.receivedAt}>{formatDateTime(signal.receivedAt)}</time> ·{' '}
        <Urgency urgency={k.urgency} />
      </p>
      {props.workflow ? <WorkflowNotice notice={props.workflow.notice} /> : null}
      {signal.senderUnverified ? (
        <p class="utrecht-alert utrecht-alert--warning">
          Let op: wij konden niet bevestigen dat deze e-mail echt van de afzender komt.
        </p>
      ) : null}

      <Section
        id="melder"
        title="Melder"
        note="Alleen zichtbaar voor de aandachtsfunctionaris. Deel de naam van de melder niet met ketenpartners."
      >
        <Fields
          rows={[
            ['Naam', r.name],
            ['E-mailadres', r.email],
            ['Telefoonnummer', r.phone],
            ['Team', r.team],
            [
              'Soort melder',
              r.external ? 'Extern (buiten de gemeente)' : 'Medewerker van de gemeente',
            ],
            ['Besproken met teamcoördinator', yesNo(r.discussedWithCoordinator)],
            ['Naam teamcoördinator', r.coordinatorName],
          ]}
        />
      </Section>

      <Section id="gezien" title="Wat is er gezien">
        {c.subject ? <Fields rows={[['Onderwerp van de e-mail', c.subject]]} /> : null}
        {signal.channel === 'email' ? (
          <p class="utrecht-paragraph">
            <a class="utrecht-link" href={`/inbox/${signal.id}/kopregels`}>
              Kopregels van de oorspronkelijke e-mail bekijken
            </a>
          </p>
        ) : null}
        <p class="utrecht-paragraph mr-pre mr-observed">{c.observed || 'Niet ingevuld.'}</p>
        {c.intakeNotes && c.intakeNotes.length > 0 ? (
          <ul class="utrecht-unordered-list">
            {c.intakeNotes.map((n) => (
              <li class="mr-pre">{n}</li>
            ))}
          </ul>
        ) : null}
      </Section>

      <Section id="personen" title="Betrokken personen">
        {c.persons.length === 0 ? (
          <p class="utrecht-paragraph mr-muted">Geen personen ingevuld.</p>
        ) : null}
        {c.persons.map((p, i) => (
          <div class="mr-card">
            <h3 class="utrecht-heading-3">
              Persoon {i + 1}: {labelOf(PERSON_ROLES, p.role)}
            </h3>
            <Fields
              rows={[
                ['Naam', p.name],
                ['Leeftijd of geboortedatum', p.ageOrBirthDate],
                ['Adres', p.address],
                ['Telefoonnummer', p.phone],
                ['E-mailadres', p.email],
                ['Toelichting', p.notes],
              ]}
            />
          </div>
        ))}
      </Section>

      <Section id="organisaties" title="Organisaties">
        {c.organisations.length === 0 ? (
          <p class="utrecht-paragraph mr-muted">Geen organisaties ingevuld.</p>
        ) : null}
        {c.organisations.map((o, i) => (
          <div class="mr-card">
            <h3 class="utrecht-heading-3">Organisatie {i + 1}</h3>
            <Fields
              rows={[
                ['Naam', o.name],
                ['KvK-nummer', o.kvk],
                ['Adres', o.address],
              ]}
            />
          </div>
        ))}
      </Section>

      <Section id="locatie" title="Locatie">
        <Fields rows={[['Waar', c.location]]} />
      </Section>

      <Section id="signalenkaart" title="Signalenkaart">
        <Indicators codes={k.indicators} />
      </Section>

      <Section id="kwetsbaarheid" title="Kwetsbaarheid">
        <LabelList codes={k.vulnerabilities} catalog={VULNERABILITIES} empty="Niets aangekruist." />
      </Section>

      <Section id="classificatie" title="Classificatie">
        <Fields
          rows={[
            ['Vorm van uitbuiting', labelOf(EXPLOITATION_FORMS, k.exploitationForm)],
            ['Urgentie', labelOf(URGENCIES, k.urgency)],
            ['Team van de melder', k.sourceTeam],
            ['Kanaal', labelOf(CHANNELS, signal.channel)],
            ['Status', labelOf(SIGNAL_STATUSES, signal.status)],
          ]}
        />
      </Section>

      {props.workflow ? (
        <WorkflowPanels signal={signal} csrfToken={props.csrfToken} {...props.workflow} />
      ) : null}

      <Section id="bijlagen" title="Bijlagen">
        <Attachments signalId={signal.id} content={c} />
      </Section>

      <Section id="geschiedenis" title="Geschiedenis">
        <History events={[...signal.events, ...props.audit]} />
      </Section>
    </Layout>
  );
}

function LabelList(props: {
  codes: readonly string[];
  catalog: Readonly<Record<string, string>>;
  empty: string;
}) {
  if (props.codes.length === 0) return <p class="utrecht-paragraph mr-muted">{props.empty}</p>;
  return (
    <ul class="utrecht-unordered-list">
      {props.codes.map((code) => (
        <li>{labelOf(props.catalog, code)}</li>
      ))}
    </ul>
  );
}

/** Grouped as on the signal card (appendix 4.3). */
function Indicators(props: { codes: readonly string[] }) {
  const groups = INDICATOR_GROUPS.map((g) => ({
    label: g.label,
    items: props.codes.filter((code) => Object.hasOwn(g.items, code)),
    catalog: g.items,
  })).filter((g) => g.items.length > 0);
  if (groups.length === 0) return <p class="utrecht-paragraph mr-muted">Niets aangekruist.</p>;
  return (
    <>
      {groups.map((g) => (
        <>
          <h3 class="utrecht-heading-3">{g.label}</h3>
          <LabelList codes={g.items} catalog={g.catalog} empty="" />
        </>
      ))}
    </>
  );
}

function Attachments(props: { signalId: string; content: ContentPart }) {
  const list = props.content.attachments ?? [];
  if (list.length === 0) return <p class="utrecht-paragraph mr-muted">Geen bijlagen.</p>;
  const base = `/inbox/${encodeURIComponent(props.signalId)}/bijlagen/`;
  return (
    <ul class="utrecht-unordered-list">
      {list.map((a) => (
        <li>
          <a class="utrecht-link" href={base + encodeURIComponent(a.id)}>
            {a.filename || 'Bijlage zonder naam'}
          </a>{' '}
          <span class="mr-muted">
            ({a.contentType}, {formatBytes(a.size)})
          </span>
        </li>
      ))}
    </ul>
  );
}

function actorLabel(actor: string): string {
  if (actor === 'melder') return 'Melder';
  if (actor === 'system') return 'Meldroute';
  return actor;
}

function History(props: { events: readonly (SignalEvent | ViewEvent)[] }) {
  const time = (iso: string) => Date.parse(iso) || 0;
  const sorted = [...props.events].sort((a, b) => time(a.at) - time(b.at));
  if (sorted.length === 0) return <p class="utrecht-paragraph mr-muted">Nog niets gebeurd.</p>;
  return (
    <ol class="mr-history">
      {sorted.map((e) => (
        <li>
          <time datetime={e.at}>{formatDateTime(e.at)}</time>: {labelOf(EVENT_LABELS, e.type)}, door{' '}
          {actorLabel(e.actor)}
          {e.detail ? <span class="mr-pre"> ({e.detail})</span> : null}
        </li>
      ))}
    </ol>
  );
}
