import type { Config } from '../config.ts';
import { type CsvRow, publishedRows, toCsv } from '../monitoring/csv.ts';
import { computeFigures, type Figures } from '../monitoring/figures.ts';
import { type Period, periodInstants, previousPeriod } from '../monitoring/period.ts';
import { type PublishedFigures, suppress } from '../monitoring/suppression.ts';
import type { Clock, SignalStore } from '../ports.ts';

export type MonitoringDeps = { config: Config; store: SignalStore; clock: Clock };

/**
 * Figures for a period and the one before it. Reads each period's facts
 * through the received-date index (one range query, never a ciphertext,
 * never a decrypt) and computes them in memory.
 */
export async function figuresFor(deps: MonitoringDeps, period: Period): Promise<Figures> {
  const { fromIso, toIso } = periodInstants(period);
  const facts = await deps.store.listForPeriod(fromIso, toIso);
  return computeFigures(facts, {
    period,
    now: deps.clock.now(),
    teams: deps.config.teams,
    partnerIds: deps.config.partners.map((p) => p.id),
  });
}

export type MonitoringView = {
  current: Figures;
  previous: Figures;
  /** What an export of these periods would show: the page marks small counts the same way. */
  published: PublishedFigures;
  publishedPrevious: PublishedFigures;
};

export async function monitoringView(
  deps: MonitoringDeps,
  period: Period,
): Promise<MonitoringView> {
  const [current, previous] = await Promise.all([
    figuresFor(deps, period),
    figuresFor(deps, previousPeriod(period)),
  ]);
  const t = deps.config.monitoring.suppressBelow;
  return {
    current,
    previous,
    published: suppress(current, t),
    publishedPrevious: suppress(previous, t),
  };
}

/** The regional CSV of one period: no personal data, no cell below the threshold. */
export async function regionalExport(
  deps: MonitoringDeps,
  period: Period,
): Promise<{ csv: string; rows: CsvRow[] }> {
  const figures = await figuresFor(deps, period);
  const rows = publishedRows(
    deps.config.municipality.code,
    suppress(figures, deps.config.monitoring.suppressBelow),
  );
  return { csv: toCsv(rows), rows };
}
