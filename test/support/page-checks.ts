/** The web app's pages as the browser tests check them: axe-core's serious findings, and a screenshot kept. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import axe from 'axe-core';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { REPOSITORY_ROOT } from '../../infra/constructs/aurora-function';

/** Where the screenshots of each page are kept as test artefacts. */
export const WEB_ARTIFACTS = join(REPOSITORY_ROOT, 'test-artifacts', 'web');

interface Violation {
  readonly id: string;
  readonly impact?: string | null;
  readonly help: string;
  readonly nodes: ReadonlyArray<{ readonly target: unknown }>;
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated rather than added as a <script>: the app's CSP (script-src 'self') stays in force.
  if (!(await page.evaluate('typeof axe !== "undefined"'))) await page.evaluate(axe.source);
  const results = (await page.evaluate(
    'axe.run(document, { resultTypes: ["violations"] }).then((result) => result.violations)',
  )) as Violation[];
  return results
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.impact} ${violation.id}: ${violation.help} — ${violation.nodes
          .map((node) => JSON.stringify(node.target))
          .join(', ')}`,
    );
}

/** Keeps a screenshot of the page as `<name>.png` and fails on any serious accessibility finding. */
export async function scanAndCapture(page: Page, name: string, options: { fullPage?: boolean } = {}) {
  mkdirSync(WEB_ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(WEB_ARTIFACTS, `${name}.png`), ...options });
  expect(await seriousViolations(page), `axe on ${name}`).toEqual([]);
}
