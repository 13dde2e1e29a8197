/**
 * Charts as SVG rendered on the server: no script, no inline style (the CSP
 * forbids both), colours from the stylesheet. Each chart is an image with a
 * <title> and <desc> for screen readers, and the same numbers follow in a
 * table, so nothing is only visible in the picture.
 */

export type ChartRow = {
  label: string;
  /** Bar length; undefined when the value is hidden. */
  value: number | undefined;
  /** How the value is written: a number, `<5` or `x`. */
  shown: string;
  previous?: string | undefined;
};

const W = 640;
const LABEL_W = 250;
const BAR_H = 22;
const GAP = 8;

export function BarChart(props: {
  id: string;
  title: string;
  description: string;
  rows: ChartRow[];
}) {
  const max = Math.max(1, ...props.rows.map((r) => r.value ?? 0));
  const h = props.rows.length * (BAR_H + GAP) + GAP;
  const scale = (W - LABEL_W - 60) / max;
  return (
    <figure class="mr-chart" aria-labelledby={`${props.id}-caption`}>
      <svg
        class="mr-chart__svg"
        viewBox={`0 0 ${W} ${h}`}
        role="img"
        aria-labelledby={`${props.id}-title ${props.id}-desc`}
      >
        <title id={`${props.id}-title`}>{props.title}</title>
        <desc id={`${props.id}-desc`}>{props.description}</desc>
        {props.rows.map((r, i) => {
          const y = GAP + i * (BAR_H + GAP);
          const len = r.value === undefined ? 0 : Math.max(r.value * scale, r.value > 0 ? 2 : 0);
          return (
            <g>
              <text class="mr-chart__label" x={LABEL_W - 8} y={y + BAR_H * 0.7} text-anchor="end">
                {truncate(r.label, 34)}
              </text>
              <rect
                class={
                  r.value === undefined ? 'mr-chart__bar mr-chart__bar--hidden' : 'mr-chart__bar'
                }
                x={LABEL_W}
                y={y}
                width={r.value === undefined ? 12 : len}
                height={BAR_H}
              />
              <text
                class="mr-chart__value"
                x={LABEL_W + (r.value === undefined ? 12 : len) + 6}
                y={y + BAR_H * 0.7}
              >
                {r.shown}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption id={`${props.id}-caption`} class="mr-visually-hidden">
        {props.title}
      </figcaption>
      <DataTable title={props.title} rows={props.rows} />
    </figure>
  );
}

export function LineChart(props: {
  id: string;
  title: string;
  description: string;
  rows: ChartRow[];
}) {
  const h = 220;
  const pad = 40;
  const max = Math.max(1, ...props.rows.map((r) => r.value ?? 0));
  const step = props.rows.length > 1 ? (W - 2 * pad) / (props.rows.length - 1) : 0;
  const point = (r: ChartRow, i: number) => ({
    x: pad + i * step,
    y: r.value === undefined ? undefined : h - pad - (r.value / max) * (h - 2 * pad),
  });
  const pts = props.rows.map(point);
  // A hidden month breaks the line rather than pretending to know its value.
  const segments: string[] = [];
  let current: string[] = [];
  for (const p of pts) {
    if (p.y === undefined) {
      if (current.length) segments.push(current.join(' '));
      current = [];
    } else current.push(`${p.x.toFixed(1)},${p.y.toFixed(1)}`);
  }
  if (current.length) segments.push(current.join(' '));
  return (
    <figure class="mr-chart" aria-labelledby={`${props.id}-caption`}>
      <svg
        class="mr-chart__svg"
        viewBox={`0 0 ${W} ${h}`}
        role="img"
        aria-labelledby={`${props.id}-title ${props.id}-desc`}
      >
        <title id={`${props.id}-title`}>{props.title}</title>
        <desc id={`${props.id}-desc`}>{props.description}</desc>
        <line class="mr-chart__axis" x1={pad} y1={h - pad} x2={W - pad} y2={h - pad} />
        {segments.map((s) => (
          <polyline class="mr-chart__line" points={s} />
        ))}
        {props.rows.map((r, i) => {
          const p = pts[i] ?? { x: 0, y: undefined };
          return (
            <g>
              {p.y === undefined ? null : <circle class="mr-chart__dot" cx={p.x} cy={p.y} r={4} />}
              <text class="mr-chart__value" x={p.x} y={(p.y ?? h - pad) - 10} text-anchor="middle">
                {r.shown}
              </text>
              <text class="mr-chart__label" x={p.x} y={h - pad + 18} text-anchor="middle">
                {truncate(r.label, 8)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption id={`${props.id}-caption`} class="mr-visually-hidden">
        {props.title}
      </figcaption>
      <DataTable title={props.title} rows={props.rows} />
    </figure>
  );
}

export function DataTable(props: { title: string; rows: ChartRow[] }) {
  const withPrevious = props.rows.some((r) => r.previous !== undefined);
  return (
    <div class="mr-table-scroll">
      <table class="utrecht-table mr-figures">
        <caption class="utrecht-table__caption">{props.title}: de cijfers</caption>
        <thead class="utrecht-table__header">
          <tr>
            <th scope="col">Categorie</th>
            <th scope="col" class="mr-num">
              Deze periode
            </th>
            {withPrevious ? (
              <th scope="col" class="mr-num">
                Vorige periode
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody class="utrecht-table__body">
          {props.rows.map((r) => (
            <tr>
              <th scope="row">{r.label}</th>
              <td class="mr-num">{r.shown}</td>
              {withPrevious ? <td class="mr-num">{r.previous ?? ''}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
