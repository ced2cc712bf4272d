/**
 * A grouped bar chart of daily values, drawn as SVG. Its text alternatives: the image's name and a summary of
 * the range's totals, and a table of every value behind a disclosure. Colours have 3:1 or more on white.
 */
import { useId } from 'preact/hooks';

export interface Series {
  readonly label: string;
  readonly color: string;
  /** One per day; null is "no value" (no bar, a dash in the table). */
  readonly values: ReadonlyArray<number | null>;
  /** What the chart's summary says of this series over the range, e.g. its total. */
  readonly summary: string;
}

const WIDTH = 640;
const HEIGHT = 240;
const MARGIN = { top: 12, right: 8, bottom: 36, left: 56 };
const TICKS = 4;
const MAX_DATE_LABELS = 10;

/** The axis step: 1, 2 or 5 times a power of ten (at least 1), so that every tick is a round number. */
function tickStep(largest: number): number {
  const rough = largest / TICKS;
  if (rough <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(rough));
  return ([1, 2, 5, 10].find((factor) => factor * power >= rough) ?? 10) * power;
}

const dayLabel = (date: string) =>
  new Date(`${date}T00:00:00Z`).toLocaleDateString(undefined, {
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });

export function DailyChart(props: {
  title: string;
  dates: readonly string[];
  series: readonly Series[];
  format: (value: number) => string;
}) {
  const id = useId();
  const { dates, series, format } = props;
  const values = series.flatMap((entry) => entry.values.filter((value): value is number => value !== null));
  const step = tickStep(Math.max(0, ...values));
  const top = step * TICKS;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const slot = plotWidth / Math.max(1, dates.length);
  const barWidth = (slot * 0.8) / Math.max(1, series.length);
  const labelEvery = Math.ceil(dates.length / MAX_DATE_LABELS);
  const y = (value: number) => MARGIN.top + plotHeight - (value / top) * plotHeight;
  const summary = series.map((entry) => `${entry.label}: ${entry.summary}`).join('; ');

  return (
    <figure class="card chart" aria-labelledby={`${id}-title`}>
      <figcaption>
        <h3 id={`${id}-title`}>{props.title}</h3>
      </figcaption>
      <ul class="legend">
        {series.map((entry) => (
          <li key={entry.label}>
            <span class="swatch" style={{ background: entry.color }} aria-hidden="true" />
            {entry.label}
          </li>
        ))}
      </ul>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-describedby={`${id}-summary`}
        class="chart-plot"
      >
        <title>{props.title}</title>
        {Array.from({ length: TICKS + 1 }, (_, index) => {
          const value = step * index;
          return (
            <g key={value}>
              <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={y(value)} y2={y(value)} class="grid" />
              <text x={MARGIN.left - 6} y={y(value) + 4} text-anchor="end" class="axis-label">
                {format(value)}
              </text>
            </g>
          );
        })}
        {dates.map((date, day) => (
          <g key={date}>
            {series.map((entry, index) => {
              const value = entry.values[day];
              if (value === null || value === undefined || value <= 0) return null;
              return (
                <rect
                  key={entry.label}
                  x={MARGIN.left + slot * day + slot * 0.1 + barWidth * index}
                  y={y(value)}
                  width={Math.max(1, barWidth - 1)}
                  height={MARGIN.top + plotHeight - y(value)}
                  fill={entry.color}
                />
              );
            })}
            {day % labelEvery === 0 && (
              <text
                x={MARGIN.left + slot * (day + 0.5)}
                y={HEIGHT - 12}
                text-anchor="middle"
                class="axis-label"
              >
                {dayLabel(date)}
              </text>
            )}
          </g>
        ))}
      </svg>
      <p id={`${id}-summary`} class="chart-summary">
        {summary}.
      </p>
      <details>
        <summary>Table of the numbers</summary>
        <table class="data-table">
          <thead>
            <tr>
              <th scope="col">Day</th>
              {series.map((entry) => (
                <th key={entry.label} scope="col">
                  {entry.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {dates.map((date, day) => (
              <tr key={date}>
                <th scope="row">
                  <time dateTime={date}>{dayLabel(date)}</time>
                </th>
                {series.map((entry) => {
                  const value = entry.values[day];
                  return (
                    <td key={entry.label}>{value === null || value === undefined ? '—' : format(value)}</td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
