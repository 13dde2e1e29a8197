import type { Config } from '#core/config.ts';
import type { Period } from '#core/monitoring/period.ts';
import type { PublishedFigures } from '#core/monitoring/suppression.ts';
import { Layout, type PageUser } from './layout.tsx';
import { FiguresBody } from './monitor-figures.tsx';

const dateNl = new Intl.DateTimeFormat('nl-NL', { dateStyle: 'long', timeZone: 'UTC' });
export const periodText = (p: Period) =>
  `${dateNl.format(new Date(`${p.from}T00:00:00Z`))} tot en met ${dateNl.format(new Date(`${p.to}T00:00:00Z`))}`;

/** /monitor: the policy's monitoring (§3.1) for the officer, printable as a report. */
export function MonitorPage(props: {
  config: Config;
  user: PageUser | undefined;
  csrfToken: string | undefined;
  period: Period;
  previousPeriod: Period;
  figures: PublishedFigures;
  previous: PublishedFigures;
}) {
  const { period } = props;
  const q = new URLSearchParams({ from: period.from, to: period.to }).toString();
  return (
    <Layout
      title="Monitoring"
      municipality={props.config.municipality.name}
      user={props.user}
      csrfToken={props.csrfToken}
    >
      <h1 class="utrecht-heading-1">Monitoring signalen mensenhandel</h1>
      <p class="utrecht-paragraph">
        {props.config.municipality.name}, {periodText(period)}. Vorige periode ter vergelijking:{' '}
        {periodText(props.previousPeriod)}.
      </p>
      <form class="mr-filter mr-no-print" method="get" action="/monitor">
        <div class="utrecht-form-field">
          <label class="utrecht-form-label" for="from">
            Van (datum)
          </label>
          <input
            class="utrecht-textbox"
            type="date"
            id="from"
            name="from"
            value={period.from}
            required
          />
        </div>
        <div class="utrecht-form-field">
          <label class="utrecht-form-label" for="to">
            Tot en met (datum)
          </label>
          <input class="utrecht-textbox" type="date" id="to" name="to" value={period.to} required />
        </div>
        <button type="submit" class="utrecht-button utrecht-button--secondary-action">
          Toon cijfers
        </button>
      </form>
      <ul class="utrecht-unordered-list mr-no-print">
        <li>
          <a class="utrecht-link" href={`/monitor/export.csv?${q}`}>
            Download de cijfers voor de regio (CSV)
          </a>
        </li>
        <li>
          <a class="utrecht-link" href={`/monitor/audit.csv?${q}`}>
            Download wie wat heeft bekeken of gewijzigd in deze periode (CSV)
          </a>
        </li>
      </ul>
      <FiguresBody config={props.config} figures={props.figures} previous={props.previous} />
    </Layout>
  );
}
