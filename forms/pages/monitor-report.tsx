import { raw } from 'hono/html';
import type { Period } from '#core/monitoring/period.ts';
import type { PublishedFigures } from '#core/monitoring/suppression.ts';
import { periodText } from './monitor.tsx';
import { FiguresBody } from './monitor-figures.tsx';

/**
 * The printable regional report (policy §4.4): one self-contained HTML file
 * with the same charts as /monitor, for the meeting of the base-team area's
 * officers. The stylesheet is embedded so the file works offline.
 */
export function RegionalReport(props: {
  figures: PublishedFigures;
  municipalities: string[];
  period: Period;
  stylesheet: string;
}) {
  return (
    <html lang="nl">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Regionale cijfers signalen mensenhandel</title>
        <style>{raw(props.stylesheet)}</style>
      </head>
      <body class="utrecht-page utrecht-document">
        <main class="mr-container mr-main">
          <h1 class="utrecht-heading-1">Regionale cijfers signalen mensenhandel</h1>
          <p class="utrecht-paragraph">
            {periodText(props.period)}. Samengesteld uit de cijfers van:{' '}
            {props.municipalities.join(', ')}.
          </p>
          <FiguresBody figures={props.figures} idPrefix="r" />
          <p class="utrecht-paragraph mr-muted">
            De mediaan en het 90e percentiel van doorlooptijden tellen niet op; die staan per
            gemeente in de CSV.
          </p>
        </main>
      </body>
    </html>
  );
}
