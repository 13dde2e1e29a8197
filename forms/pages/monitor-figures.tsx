import type { Config } from '#core/config.ts';
import {
  type Cell,
  type Published,
  type PublishedFigures,
  shown,
} from '#core/monitoring/suppression.ts';
import { BarChart, type ChartRow, DataTable, LineChart } from './monitor-charts.tsx';
import { breakdownLabel, MEASURE_TITLES } from './monitor-labels.ts';

/**
 * The figures as charts and tables, shared by /monitor and the printable
 * regional report. Shows what may be shared (small counts as `<5`), so a
 * printed page is as safe as the CSV.
 */

const value = (c: Cell | undefined) => (c && !c.hidden ? c.value : undefined);

function rowsOf(
  config: Config | undefined,
  m: Published,
  previous: Published | undefined,
  threshold: number,
): ChartRow[] {
  const cells = m.kind === 'partition' ? m.rows : m.rows;
  const prevCells = previous && previous.kind !== 'stats' ? previous.rows : (previous?.rows ?? []);
  return cells.map((c) => {
    const p = prevCells.find((x) => x.breakdown === c.breakdown);
    return {
      label: breakdownLabel(config, m.code, c.breakdown),
      value: value(c),
      shown: shown(c, threshold),
      previous: previous ? (p ? shown(p, threshold) : '') : undefined,
    };
  });
}

export function FiguresBody(props: {
  config?: Config | undefined;
  figures: PublishedFigures;
  previous?: PublishedFigures | undefined;
  idPrefix?: string;
}) {
  const { figures, previous, config } = props;
  const t = figures.threshold;
  const id = (code: string) => `${props.idPrefix ?? 'g'}-${code.replace(/_/g, '-')}`;
  const find = (f: PublishedFigures | undefined, code: string) =>
    f?.measures.find((m) => m.code === code);
  const total = find(figures, 'signals_received');
  const prevTotal = find(previous, 'signals_received');
  const totalText = total?.kind === 'partition' ? shown(total.total, t) : '';
  return (
    <>
      <p class="utrecht-paragraph mr-lead">
        Signalen ontvangen: <strong>{totalText}</strong>
        {prevTotal?.kind === 'partition' ? ` (vorige periode: ${shown(prevTotal.total, t)})` : ''}
      </p>
      {figures.measures
        .filter((m) => m.code !== 'signals_received')
        .map((m) => {
          const title = MEASURE_TITLES[m.code] ?? m.code;
          const rows = rowsOf(config, m, find(previous, m.code), t);
          const prev = find(previous, m.code);
          if (m.kind === 'partition') {
            rows.push({
              label: 'Totaal',
              value: undefined,
              shown: shown(m.total, t),
              previous:
                prev?.kind === 'partition' ? shown(prev.total, t) : previous ? '' : undefined,
            });
          }
          const chartRows = m.kind === 'partition' ? rows.slice(0, -1) : rows;
          const description = `${title}. ${describe(chartRows)}`;
          return (
            <section class="mr-section mr-figure" aria-labelledby={`${id(m.code)}-h`}>
              <h2 class="utrecht-heading-2" id={`${id(m.code)}-h`}>
                {title}
              </h2>
              {m.kind === 'stats' ? (
                rows.length === 0 ? (
                  <p class="utrecht-paragraph mr-muted">Nog geen gegevens.</p>
                ) : (
                  <DataTable title={title} rows={rows} />
                )
              ) : m.code === 'signals_by_month' ? (
                <LineChart
                  id={id(m.code)}
                  title={title}
                  description={description}
                  rows={chartRows}
                />
              ) : (
                <>
                  <BarChart
                    id={id(m.code)}
                    title={title}
                    description={description}
                    rows={chartRows}
                  />
                  {m.kind === 'partition' ? (
                    <p class="utrecht-paragraph mr-muted">Totaal: {shown(m.total, t)}</p>
                  ) : null}
                </>
              )}
            </section>
          );
        })}
      <p class="utrecht-paragraph mr-muted">
        Aantallen onder de {t} staan er als ‘&lt;{t}’. Een ‘x’ is verborgen zodat niemand een klein
        aantal kan terugrekenen uit de andere getallen. Alle cijfers gaan over signalen die in de
        periode zijn ontvangen.
      </p>
    </>
  );
}

function describe(rows: ChartRow[]): string {
  return rows.map((r) => `${r.label}: ${r.shown}`).join('; ');
}
