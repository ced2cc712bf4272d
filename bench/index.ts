/**
 * `npm run bench`: runs every benchmark in this folder and prints one table.
 * Each benchmark module exports `run()`, returning rows that compare a measurement with a peer or a
 * baseline measured in the same run, so the figure means something on any machine.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BenchRow {
  /** What was measured, e.g. "pattern matching, 100 rules". */
  name: string;
  /** The measured value with its unit, e.g. "412,000 events/s". */
  value: string;
  /** The peer or baseline, e.g. "naive interpreter: 38,000 events/s". */
  baseline?: string;
  /** measured ÷ baseline (or the inverse where lower is better), as printed. */
  ratio?: string;
  /** The target from the brief, and whether it was met. */
  target?: string;
  met?: boolean;
}

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => only.length === 0 || only.some((name) => file.includes(name)))
  .sort();

const rows: BenchRow[] = [];
for (const file of files) {
  process.stdout.write(`▶ ${file}\n`);
  const module = (await import(join(here, file))) as { run: () => Promise<BenchRow[]> };
  const produced = await module.run();
  for (const row of produced) {
    process.stdout.write(`  ${row.name}: ${row.value}${row.ratio ? ` (${row.ratio})` : ''}\n`);
  }
  rows.push(...produced);
}

console.log('\n| benchmark | measured | baseline | ratio | target | met |');
console.log('|---|---|---|---|---|---|');
for (const row of rows) {
  const met = row.met === undefined ? '' : row.met ? 'yes' : 'NO';
  console.log(
    `| ${row.name} | ${row.value} | ${row.baseline ?? ''} | ${row.ratio ?? ''} | ${row.target ?? ''} | ${met} |`,
  );
}
process.exit(rows.some((row) => row.met === false) ? 1 : 0);
