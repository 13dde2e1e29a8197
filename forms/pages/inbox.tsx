import { CHANNELS, EXPLOITATION_FORMS } from '#core/catalog.ts';
import type { Config } from '#core/config.ts';
import { SIGNAL_STATUSES, type SignalStatus, type SignalSummary } from '#core/signal.ts';
import { Urgency } from './components.tsx';
import { formatDateTime, labelOf } from './format.ts';
import { Layout, type PageUser } from './layout.tsx';
import { DigestToggle } from './reminder-controls.tsx';

export { SignalDetailPage, type SignalDetailProps } from './signal-detail.tsx';

/** Step 2 of the route: the aandachtsfunctionaris's list of signals, newest first. */
export function InboxPage(props: {
  config: Config;
  user: PageUser | undefined;
  csrfToken: string | undefined;
  items: readonly SignalSummary[];
  status?: SignalStatus | undefined;
  nextCursor?: string | undefined;
  /** The officer's daily digest on or off; undefined where it is not wired. */
  digest?: boolean | undefined;
}) {
  const { items, status } = props;
  const statusLabel = status ? labelOf(SIGNAL_STATUSES, status) : undefined;
  return (
    <Layout
      title="Inbox"
      municipality={props.config.municipality.name}
      user={props.user}
      csrfToken={props.csrfToken}
    >
      <h1 class="utrecht-heading-1">Inbox signalen</h1>
      <form class="mr-filter" method="get" action="/inbox">
        <div class="utrecht-form-field">
          <label class="utrecht-form-label" for="status">
            Toon signalen met status
          </label>
          <select class="utrecht-select" id="status" name="status">
            <option value="">Alle statussen</option>
            {Object.entries(SIGNAL_STATUSES).map(([code, label]) => (
              <option value={code} selected={code === status}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="utrecht-button utrecht-button--secondary-action">
          Filter toepassen
        </button>
      </form>
      {items.length === 0 ? (
        <p class="utrecht-paragraph mr-empty">
          {statusLabel
            ? `Er zijn geen signalen met de status ‘${statusLabel}’.`
            : 'Er zijn nog geen signalen.'}
        </p>
      ) : (
        <SignalTable items={items} statusLabel={statusLabel} />
      )}
      {props.nextCursor ? (
        <p class="utrecht-paragraph">
          <a class="utrecht-link" href={nextHref(props.nextCursor, status)} rel="next">
            Volgende pagina
          </a>
        </p>
      ) : null}
      {props.digest === undefined ? null : (
        <DigestToggle enabled={props.digest} csrfToken={props.csrfToken} />
      )}
    </Layout>
  );
}

function nextHref(cursor: string, status: SignalStatus | undefined): string {
  const q = new URLSearchParams();
  if (status) q.set('status', status);
  q.set('cursor', cursor);
  return `/inbox?${q.toString()}`;
}

function SignalTable(props: { items: readonly SignalSummary[]; statusLabel: string | undefined }) {
  return (
    <section class="mr-table-scroll" aria-labelledby="inbox-caption" tabindex={0}>
      <table class="utrecht-table">
        <caption class="utrecht-table__caption" id="inbox-caption">
          {props.statusLabel
            ? `Signalen met de status ‘${props.statusLabel}’, nieuwste eerst`
            : 'Alle signalen, nieuwste eerst'}
        </caption>
        <thead class="utrecht-table__header">
          <tr>
            <th scope="col">Referentie</th>
            <th scope="col">Ontvangen</th>
            <th scope="col">Status</th>
            <th scope="col">Vorm van uitbuiting</th>
            <th scope="col">Urgentie</th>
            <th scope="col">Kanaal</th>
          </tr>
        </thead>
        <tbody class="utrecht-table__body">
          {props.items.map((s) => (
            <tr class={s.classification.urgency === 'acute' ? 'mr-row--acute' : undefined}>
              <th scope="row">
                <a class="utrecht-link" href={`/inbox/${encodeURIComponent(s.id)}`}>
                  {s.reference}
                </a>
              </th>
              <td>
                <time datetime={s.receivedAt}>{formatDateTime(s.receivedAt)}</time>
              </td>
              <td>{labelOf(SIGNAL_STATUSES, s.status)}</td>
              <td>{labelOf(EXPLOITATION_FORMS, s.classification.exploitationForm)}</td>
              <td>
                <Urgency urgency={s.classification.urgency} />
              </td>
              <td>
                {labelOf(CHANNELS, s.channel)}
                {s.senderUnverified ? (
                  <span class="mr-badge mr-badge--warning">afzender niet bevestigd</span>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
