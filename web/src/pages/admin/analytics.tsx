/**
 * Analytics over a range of days (default: the last 7, by UTC days as the API counts them): tiles with the
 * range's totals, then a chart per topic with the numbers per day.
 */
import { useState } from 'preact/hooks';
import type { Api } from '../../api';
import { type FieldErrors, FormAlert, InputField } from '../../components/field';
import { addDays, today } from '../../time';
import type { AnalyticsReport, Kpis, LatenessPercentile } from '../../types';
import { DailyChart } from './daily-chart';
import { AdminPage, LoadError, Loading, useLoad } from './shared';

const MAX_DAYS = 92;
const DEFAULT_DAYS = 7;

const COLORS = { blue: '#1d4ed8', amber: '#b45309', green: '#047857', red: '#b91c1c', purple: '#6d28d9' };

type Count = Exclude<keyof Kpis, LatenessPercentile>;

const TILES: ReadonlyArray<readonly [Count, string]> = [
  ['activeUsers', 'Active users'],
  ['messagesIn', 'Messages in'],
  ['messagesOut', 'Messages out'],
  ['loginsRequested', 'Sign-in codes requested'],
  ['loginsVerified', 'Sign-ins'],
  ['loginsFailed', 'Wrong codes'],
  ['lockouts', 'Lockouts'],
  ['remindersCreated', 'Reminders created'],
  ['remindersDelivered', 'Reminders delivered'],
  ['remindersFailed', 'Reminders failed'],
  ['remindersDropped', 'Reminders dropped as stale'],
  ['emailsSent', 'Emails sent'],
  ['emailsBounced', 'Bounces'],
];

const CHARTS: ReadonlyArray<{ title: string; series: ReadonlyArray<readonly [Count, string, string]> }> = [
  {
    title: 'Messages per day',
    series: [
      ['messagesIn', 'In', COLORS.blue],
      ['messagesOut', 'Out', COLORS.amber],
    ],
  },
  {
    title: 'Sign-ins per day',
    series: [
      ['loginsRequested', 'Codes requested', COLORS.blue],
      ['loginsVerified', 'Verified', COLORS.green],
      ['loginsFailed', 'Wrong codes', COLORS.red],
    ],
  },
  {
    title: 'Reminders per day',
    series: [
      ['remindersDelivered', 'Delivered', COLORS.green],
      ['remindersFailed', 'Failed', COLORS.red],
    ],
  },
];

const PERCENTILES: ReadonlyArray<readonly [LatenessPercentile, string, string]> = [
  ['latenessP50Ms', 'p50', COLORS.blue],
  ['latenessP95Ms', 'p95', COLORS.amber],
  ['latenessP99Ms', 'p99', COLORS.purple],
];

const counts = new Intl.NumberFormat();
const formatCount = (value: number) => counts.format(value);

/** Milliseconds as people read a delay: "850 ms", "1.2 s", "3.5 min". */
function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

const formatLateness = (ms: number | null) => (ms === null ? '—' : formatDuration(ms));
const describeLateness = (ms: number | null) =>
  ms === null ? 'nothing delivered' : `${formatDuration(ms)} over the range`;

export function AdminAnalyticsPage(props: { api: Api }) {
  const lastDay = today('UTC');
  const [range, setRange] = useState({ from: addDays(lastDay, 1 - DEFAULT_DAYS), to: lastDay });
  const report = useLoad(() => props.api.analytics(range.from, range.to), `${range.from}/${range.to}`);

  return (
    <AdminPage section="analytics" title="Analytics">
      <RangeForm range={range} onChange={setRange} busy={report.loading} />
      {report.loading && <Loading what="analytics" />}
      {report.error !== undefined && (
        <LoadError what="Analytics" error={report.error} onRetry={report.reload} />
      )}
      {report.data && !report.loading && <Report report={report.data} />}
    </AdminPage>
  );
}

function RangeForm(props: {
  range: { from: string; to: string };
  busy: boolean;
  onChange: (range: { from: string; to: string }) => void;
}) {
  const [from, setFrom] = useState(props.range.from);
  const [to, setTo] = useState(props.range.to);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [general, setGeneral] = useState<string[]>([]);

  const submit = (event: Event) => {
    event.preventDefault();
    const found: FieldErrors = {};
    if (!/^\d{4}-\d{2}-\d{2}$/.test(from)) found.from = 'Enter a date.';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(to)) found.to = 'Enter a date.';
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setGeneral([]);
      return;
    }
    if (from > to) setGeneral(['The first day must not be after the last.']);
    else if (addDays(from, MAX_DAYS - 1) < to) setGeneral([`Choose at most ${MAX_DAYS} days.`]);
    else {
      setGeneral([]);
      props.onChange({ from, to });
    }
  };

  return (
    <form class="card range-form" onSubmit={submit} noValidate aria-label="Date range">
      <FormAlert messages={general} />
      <div class="search-row">
        <InputField
          id="analytics-from"
          label="From"
          error={errors.from}
          type="date"
          value={from}
          onInput={(event) => setFrom(event.currentTarget.value)}
        />
        <InputField
          id="analytics-to"
          label="To"
          error={errors.to}
          type="date"
          value={to}
          onInput={(event) => setTo(event.currentTarget.value)}
        />
        <button type="submit" class="primary" disabled={props.busy}>
          Show
        </button>
      </div>
      <p class="hint">Days are UTC days, both ends included, at most {MAX_DAYS}.</p>
    </form>
  );
}

function Report(props: { report: AnalyticsReport }) {
  const { report } = props;
  const dates = report.days.map((day) => day.date);
  return (
    <>
      <section aria-labelledby="totals-heading">
        <h2 id="totals-heading">
          Totals, {report.from} to {report.to}
        </h2>
        <dl class="kpi-tiles">
          {TILES.map(([key, label]) => (
            <div key={key} class="kpi">
              <dt>{label}</dt>
              <dd>{formatCount(report.total[key])}</dd>
            </div>
          ))}
          {PERCENTILES.map(([key, label]) => (
            <div key={key} class="kpi">
              <dt>Reminder lateness {label}</dt>
              <dd>{formatLateness(report.total[key])}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section aria-labelledby="charts-heading" class="charts">
        <h2 id="charts-heading">Per day</h2>
        {CHARTS.map((chart) => (
          <DailyChart
            key={chart.title}
            title={chart.title}
            dates={dates}
            series={chart.series.map(([key, label, color]) => ({
              label,
              color,
              values: report.days.map((day) => day[key]),
              summary: `${formatCount(report.total[key])} in the range`,
            }))}
            format={formatCount}
          />
        ))}
        <DailyChart
          title="Reminder lateness per day"
          dates={dates}
          series={PERCENTILES.map(([key, label, color]) => ({
            label,
            color,
            values: report.days.map((day) => day[key]),
            summary: describeLateness(report.total[key]),
          }))}
          format={formatDuration}
        />
      </section>
    </>
  );
}
