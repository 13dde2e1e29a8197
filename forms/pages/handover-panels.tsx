import { DISCLOSED_PARTS, HANDOVER_STATES, MAIL_PROBLEMS } from '#core/signal.ts';
import type { OfficerWorkflowView } from '#core/use-cases/workflow/officer-view.ts';
import { TAKEN_ON } from '#core/use-cases/workflow/partner-feedback.ts';
import { dutchDate } from '#core/workflow/dutch-date.ts';
import { HANDOVER_MOVES } from '#core/workflow/moves.ts';
import { Hidden, MailText } from './components.tsx';
import { formatDateTime } from './format.ts';
import { ReminderControls } from './reminder-controls.tsx';

/** Running handovers, their feedback, the disclosure register and the reporter's answers. */

export function HandoverList(props: {
  signalId: string;
  view: OfficerWorkflowView;
  csrfToken: string | undefined;
}) {
  const { view } = props;
  const base = `/inbox/${encodeURIComponent(props.signalId)}/overdrachten`;
  if (view.handovers.length === 0) {
    return <p class="utrecht-paragraph mr-muted">Nog niet doorgezet.</p>;
  }
  return (
    <>
      {view.handovers.map((h) => (
        <article class="mr-card" aria-labelledby={`overdracht-${h.id}`}>
          <h3 class="utrecht-heading-3" id={`overdracht-${h.id}`}>
            {h.partner.name}
          </h3>
          {h.mailProblem ? (
            <p class="utrecht-alert utrecht-alert--warning" role="status">
              {MAIL_PROBLEMS[h.mailProblem.kind]} (
              <time datetime={h.mailProblem.at}>{formatDateTime(h.mailProblem.at)}</time>).
            </p>
          ) : null}
          <dl class="utrecht-data-list">
            <Row label="Status">{HANDOVER_STATES[h.state]}</Row>
            <Row label="Verstuurd">
              <time datetime={h.sentAt}>{formatDateTime(h.sentAt)}</time> door {h.sentBy}
            </Row>
            <Row label="Terugkoppeling gevraagd vóór">
              {dutchDate(h.dueDate)}
              {h.overdueSince && h.state === 'open' ? ' (te laat)' : ''}
            </Row>
            <Row label="Link">
              {h.linkActive ? `werkt tot ${formatDateTime(h.tokenExpiresAt)}` : 'werkt niet meer'}
            </Row>
          </dl>
          <ReminderControls base={base} handover={h} csrfToken={props.csrfToken} />
          <details class="mr-details">
            <summary>Tekst die {h.partner.name} te zien kreeg</summary>
            <p class="mr-pre mr-observed">{h.text}</p>
          </details>
          {h.feedback.length === 0 ? null : (
            <>
              <h4 class="utrecht-heading-4">Terugkoppeling</h4>
              {h.feedback.map((f) => (
                <div class="mr-feedback">
                  <p class="mr-muted">
                    <time datetime={f.at}>{formatDateTime(f.at)}</time>,{' '}
                    {f.via === 'page' ? 'via de partnerpagina' : 'per e-mail'}
                  </p>
                  {f.takenOn ? <p>Opgepakt: {TAKEN_ON[f.takenOn]}</p> : null}
                  {f.actions ? <p class="mr-pre">{f.actions}</p> : null}
                  {f.text && f.via !== 'page' ? <MailText text={f.text} /> : null}
                  {f.text && f.via === 'page' ? <p class="mr-pre">{f.text}</p> : null}
                </div>
              ))}
            </>
          )}
          <div class="mr-button-row">
            {h.linkActive ? (
              <form method="post" action={`${base}/${h.id}/intrekken`}>
                <Hidden name="_csrf" value={props.csrfToken} />
                <button type="submit" class="utrecht-button utrecht-button--secondary-action">
                  Link intrekken
                </button>
              </form>
            ) : null}
            {HANDOVER_MOVES.feedback.includes(h.state) ? (
              <form method="post" action={`${base}/${h.id}/nieuwe-link`}>
                <Hidden name="_csrf" value={props.csrfToken} />
                <button type="submit" class="utrecht-button utrecht-button--secondary-action">
                  Nieuwe link sturen
                </button>
              </form>
            ) : null}
            {h.state === 'open' ? (
              <form method="post" action={`${base}/${h.id}/geen-reactie`}>
                <Hidden name="_csrf" value={props.csrfToken} />
                <button type="submit" class="utrecht-button utrecht-button--secondary-action">
                  Afsluiten zonder reactie
                </button>
              </form>
            ) : null}
          </div>
        </article>
      ))}
      <h3 class="utrecht-heading-3" id="verstrekkingen">
        Verstrekkingenregister
      </h3>
      <div class="mr-table-scroll">
        <table class="utrecht-table">
          <caption class="utrecht-table__caption">Wat is met wie gedeeld</caption>
          <thead class="utrecht-table__header">
            <tr>
              <th scope="col">Wanneer</th>
              <th scope="col">Aan</th>
              <th scope="col">Welke gegevens</th>
              <th scope="col">Door</th>
              <th scope="col">Doel</th>
            </tr>
          </thead>
          <tbody class="utrecht-table__body">
            {view.disclosures.map((d) => (
              <tr>
                <td>
                  <time datetime={d.at}>{formatDateTime(d.at)}</time>
                </td>
                <td>{d.partnerName}</td>
                <td>
                  {d.parts.map((p) => DISCLOSED_PARTS[p]).join(', ')}
                  {d.channel === 'email_and_link'
                    ? ' (in de e-mail en achter de link)'
                    : ' (achter de link)'}
                </td>
                <td>{d.by}</td>
                <td>{d.purpose}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function Row(props: { label: string; children: unknown }) {
  return (
    <div class="utrecht-data-list__item">
      <dt class="utrecht-data-list__item-key">{props.label}</dt>
      <dd class="utrecht-data-list__item-value">{props.children as never}</dd>
    </div>
  );
}

export function ReporterFeedbackList(props: { view: OfficerWorkflowView }) {
  if (props.view.reporterFeedback.length === 0) {
    return <p class="utrecht-paragraph mr-muted">De melder is nog niet geïnformeerd.</p>;
  }
  return (
    <ol class="mr-notes">
      {props.view.reporterFeedback.map((f) => (
        <li>
          <p class="mr-muted">
            Verstuurd <time datetime={f.at}>{formatDateTime(f.at)}</time> door {f.by}
          </p>
          <p class="mr-pre">{f.text}</p>
        </li>
      ))}
    </ol>
  );
}
