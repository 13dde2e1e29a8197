import type { Config } from '#core/config.ts';
import type { AgendaLine } from '#core/use-cases/workflow/officer-view.ts';
import { formatDateTime } from './format.ts';
import { Layout, type PageUser } from './layout.tsx';

/** Printable: references and the officer's one-line summaries, nothing else of the signals. */
export function OverlegPage(props: {
  config: Config;
  user: PageUser | undefined;
  csrfToken: string | undefined;
  lines: readonly AgendaLine[];
}) {
  return (
    <Layout
      title="Agenda ondermijningsoverleg"
      municipality={props.config.municipality.name}
      user={props.user}
      csrfToken={props.csrfToken}
    >
      <h1 class="utrecht-heading-1">Agenda ondermijningsoverleg</h1>
      <p class="utrecht-paragraph mr-muted mr-no-print">
        Druk deze pagina af voor het overleg. Er staan alleen meldnummers en uw samenvattingen op.
      </p>
      {props.lines.length === 0 ? (
        <p class="utrecht-paragraph">Er staan geen signalen op de agenda.</p>
      ) : (
        <table class="utrecht-table">
          <caption class="utrecht-table__caption">Signalen om te bespreken, oudste eerst</caption>
          <thead class="utrecht-table__header">
            <tr>
              <th scope="col">Meldnummer</th>
              <th scope="col">Samenvatting</th>
              <th scope="col">Op de agenda sinds</th>
            </tr>
          </thead>
          <tbody class="utrecht-table__body">
            {props.lines.map((l) => (
              <tr>
                <th scope="row">
                  <a class="utrecht-link" href={`/inbox/${encodeURIComponent(l.signalId)}#overleg`}>
                    {l.reference}
                  </a>
                </th>
                <td class="mr-pre">{l.summary}</td>
                <td>
                  <time datetime={l.since}>{formatDateTime(l.since)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
