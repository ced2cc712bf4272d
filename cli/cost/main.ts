/**
 * `npm run cost [-- --users N --logins N --reminders N --json --measure]`: the monthly bill of the
 * synthesized app at a usage profile, from figures measured on a local cloud. The measurement is cached
 * under a hash of workflows/ and functions/ (what it depends on), so a normal run only synthesizes (itself
 * cached) and prices; --measure measures again.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { REPOSITORY_ROOT } from '../../infra/constructs/aurora-function';
import { readAssembly } from '../../infra/local/deployer/assembly';
import { synthesizeCached } from '../../infra/local/synth';
import { measure } from './measure';
import {
  type CostReport,
  costReport,
  DEFAULT_PROFILE,
  type FreeTierCredit,
  inventory,
  type Measurement,
  type UsageProfile,
} from './model';
import { PRICES, PRICES_READ_ON, PRICES_REGION } from './prices';

const USAGE = `usage: npm run cost -- [--users ${DEFAULT_PROFILE.users}] [--logins ${DEFAULT_PROFILE.loginsPerUser}] [--reminders ${DEFAULT_PROFILE.remindersPerUser}] [--json] [--measure]
  --users      monthly active people
  --logins     sign-ins per person a month
  --reminders  reminders per person a month
  --json       the report as JSON
  --measure    measure the workflows again on a local cloud (otherwise the cached measurement is used)`;

const MEASUREMENT_CACHE = join(REPOSITORY_ROOT, 'node_modules', '.cache', 'aurora-cost');

/** Hash of what the measured figures depend on: the workflows and the functions. */
export function measuredSourceHash(): string {
  const hash = createHash('sha256');
  const visit = (path: string) => {
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) if (entry !== 'node_modules') visit(join(path, entry));
    } else hash.update(relative(REPOSITORY_ROOT, path)).update('\0').update(readFileSync(path)).update('\0');
  };
  for (const source of ['workflows', 'functions']) visit(join(REPOSITORY_ROOT, source));
  return hash.digest('hex').slice(0, 16);
}

/** The cached measurement for the current sources, or a new one (then cached). */
export async function currentMeasurement(
  options: { remeasure: boolean; assemblyDirectory: string },
  log: (line: string) => void,
): Promise<Measurement> {
  const sourceHash = measuredSourceHash();
  const file = join(MEASUREMENT_CACHE, `measurement-${sourceHash}.json`);
  if (!options.remeasure && existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Measurement;
  log('measuring one login and one reminder on a local cloud...');
  const measurement = await measure(sourceHash, options.assemblyDirectory);
  mkdirSync(MEASUREMENT_CACHE, { recursive: true });
  writeFileSync(file, `${JSON.stringify(measurement, null, 2)}\n`);
  return measurement;
}

const usd = (amount: number) =>
  `${amount < 0 ? '-' : ''}$${Math.abs(amount).toFixed(amount !== 0 && Math.abs(amount) < 0.01 ? 4 : 2)}`;
const quantity = (value: number) =>
  value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3).replace(/\.?0+$/, '');

function table(rows: readonly string[][]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          column === row.length - 1 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
        )
        .join('  '),
    )
    .join('\n');
}

export function formatReport(report: CostReport, measurement: Measurement): string {
  const { profile } = report;
  const billed = report.lines.map((line) => [
    line.service,
    line.item + (line.fixed ? ' (monthly fee)' : ''),
    `${quantity(line.quantity)} × ${PRICES[line.price].unit}`,
    usd(line.usd),
  ]);
  const serviceOf = (credit: FreeTierCredit) =>
    report.lines.find((line) => line.price === credit.price)?.service ?? '';
  const creditRows = (credits: readonly FreeTierCredit[], amount: (credit: FreeTierCredit) => number) =>
    credits.map((credit) => [
      serviceOf(credit),
      `${quantity(credit.quantity)} × ${PRICES[credit.price].unit}`,
      usd(amount(credit)),
    ]);
  const applied = report.freeTiers.filter((credit) => credit.term === 'always');
  const notApplied = report.freeTiers.filter((credit) => credit.term === '12-months');
  const out = [
    `Aurora Time monthly cost, ${PRICES_REGION}, list prices read ${PRICES_READ_ON} (cli/cost/prices.ts)`,
    `Profile: ${profile.users.toLocaleString('en-US')} monthly active people, ${profile.loginsPerUser} logins and ${profile.remindersPerUser} reminders each`,
    `Measured ${measurement.measuredAt} on a local cloud (sources ${measurement.sourceHash})`,
    '',
    table([['service', 'item', 'quantity', 'USD'], ...billed]),
    '',
    'Free tiers (always free, applied)',
    table(creditRows(applied, (credit) => credit.usd)),
    '',
    `Before free tiers ${usd(report.grossUsd)}; of it monthly fees ${usd(report.fixedUsd)}`,
    `TOTAL ${usd(report.totalUsd)} a month`,
  ];
  if (notApplied.length > 0) {
    out.push('', 'Not applied: 12-month free tiers of new accounts, worth');
    out.push(table(creditRows(notApplied, (credit) => credit.worthUsd)));
  }
  out.push('', 'Standard or Express, per workflow (Express: a request and 64 MB for the measured duration)');
  for (const advice of report.express) {
    const reasons = advice.blockers.length > 0 ? `: ${advice.blockers.join('; ')}` : '';
    out.push(
      `  ${advice.workflow}: Standard ${usd(advice.standardUsd)}, as Express ${usd(advice.expressUsd)} → ${advice.verdict}${reasons}`,
    );
  }
  out.push(
    '  (Express runs at least once, keeps no history for GetExecutionHistory and cannot be redriven: the ops',
    '  console shows and redrives Standard executions only. A move needs idempotent states and log-based ops.)',
  );
  out.push('', 'How the figures were measured:', ...measurement.method.map((line) => `  - ${line}`));
  return out.join('\n');
}

function nonNegative(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`--${name} must be a number ≥ 0, not ${text}`);
  return value;
}

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      users: { type: 'string' },
      logins: { type: 'string' },
      reminders: { type: 'string' },
      json: { type: 'boolean' },
      measure: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const profile: UsageProfile = {
    ...DEFAULT_PROFILE,
    users: nonNegative('users', values.users, DEFAULT_PROFILE.users),
    loginsPerUser: nonNegative('logins', values.logins, DEFAULT_PROFILE.loginsPerUser),
    remindersPerUser: nonNegative('reminders', values.reminders, DEFAULT_PROFILE.remindersPerUser),
  };
  const log = (line: string) => console.error(line);
  const { directory } = synthesizeCached();
  const stacks = readAssembly(directory);
  const measurement = await currentMeasurement(
    { remeasure: values.measure ?? false, assemblyDirectory: directory },
    log,
  );
  const report = costReport(inventory(stacks), profile, measurement);
  console.log(
    values.json ? JSON.stringify({ report, measurement }, null, 2) : formatReport(report, measurement),
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    console.error(USAGE);
    process.exit(2);
  },
);
