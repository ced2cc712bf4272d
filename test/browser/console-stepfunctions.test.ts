/**
 * The Step Functions ops console in Chromium: find a failed execution, see its failing state marked in the
 * graph, fix the cause, press Redrive and see the execution succeed live. Inputs carry markup that must stay
 * text. Search, a long history folded by state and paged, live refresh on the clock, and the /_aurora index.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateStateMachineCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../../infra/local/clock';
import { controlService } from '../../infra/local/control/service';
import { type Edge, startEdge } from '../../infra/local/edge/server';
import { LocalServices } from '../../infra/local/services';
import { countVisitTask } from '../fixtures/state-machines';
import { launchChromium } from '../support/browser';
import { type EdgeClientConfig, edgeClientConfig, TEST_START } from '../support/local-cloud';
import { eventually } from '../support/polling';

const account = { region: 'us-east-1', accountId: '000000000000' };
const TABLE = 'console-visits';
const HOSTILE_NAME = '<img src=x onerror="document.title=\'pwned\'">';

describe('Step Functions console', () => {
  let stateDir: string;
  let edge: Edge;
  let services: LocalServices;
  let browser: Browser;
  let clientConfig: EdgeClientConfig;
  let clock: Clock;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'aurora-console-browser-'));
    clock = new Clock('manual', TEST_START);
    edge = await startEdge({
      port: 0,
      host: '127.0.0.1',
      services: [controlService(clock, { ready: true, services: {}, resources: {} })],
      account,
    });
    services = new LocalServices({
      clock,
      stateDir,
      account,
      edgeUrl: edge.url,
      pageAccessToken: 'console-test-token',
      enforceIam: false,
      log: () => undefined,
    });
    for (const service of services.edgeServices(account)) edge.register(service);
    clientConfig = edgeClientConfig(edge.url, account.region);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await services?.stop();
    await edge?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function failedExecution(): Promise<void> {
    const dynamodb = new DynamoDBClient(clientConfig);
    await dynamodb.send(
      new CreateTableCommand({
        TableName: TABLE,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const sfn = new SFNClient(clientConfig);
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: 'console-visits',
        roleArn: 'arn:aws:iam::000000000000:role/console',
        definition: JSON.stringify({
          StartAt: 'Prepare',
          States: {
            Prepare: { Type: 'Pass', Next: 'Both' },
            Both: {
              Type: 'Parallel',
              Next: 'Done',
              Branches: [
                { StartAt: 'Note', States: { Note: { Type: 'Pass', End: true } } },
                {
                  StartAt: 'CountVisit',
                  States: {
                    CountVisit: { ...countVisitTask(TABLE, 'visitor'), End: true },
                  },
                },
              ],
            },
            Done: { Type: 'Succeed' },
          },
        }),
      }),
    );
    await sfn.send(
      new StartExecutionCommand({
        stateMachineArn,
        name: 'first-visit',
        input: JSON.stringify({ visitor: HOSTILE_NAME }),
      }),
    );
    await eventually(
      async () =>
        services.stepfunctions.listExecutions(stateMachineArn ?? '', 'FAILED').length === 1
          ? true
          : undefined,
      10_000,
      'the execution to fail',
    );
  }

  const nodeStatus = (page: Page, state: string) =>
    page.locator(`.node[data-state="${state}"]`).getAttribute('data-status');

  it('marks the failing state of a failed execution, and redrives it once the cause is fixed', async () => {
    await failedExecution();
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });

    await page.goto(`${edge.url}/_aurora/console`);
    await page.locator('tr[data-machine="console-visits"] a', { hasText: 'console-visits' }).click();
    await page.locator('.tabs a', { hasText: 'FAILED' }).click();
    await page.locator('tr[data-execution="first-visit"][data-status="FAILED"] a').click();

    await page.locator('.graph').waitFor();
    expect(await nodeStatus(page, 'CountVisit')).toBe('failed');
    expect(await page.locator('.node[data-state="CountVisit"]').getAttribute('class')).toContain('failed');
    expect(await nodeStatus(page, 'Both')).toBe('failed');
    expect(await nodeStatus(page, 'Prepare')).toBe('succeeded');
    expect(await nodeStatus(page, 'Done')).toBe('not-run');
    expect(await page.locator('line.taken[data-from="Prepare"][data-to="Both"]').count()).toBe(1);
    expect(await page.locator('#error').textContent()).toContain('DynamoDB.ConditionalCheckFailedException');
    const failedRow = page.locator('tr[data-event-type="TaskFailed"]');
    await failedRow.locator('summary').click();
    expect(await failedRow.locator('pre').textContent()).toContain('ConditionalCheckFailedException');
    // The hostile input is shown as text, never run.
    expect(await page.locator('pre', { hasText: '<img src=x onerror=' }).count()).toBeGreaterThan(0);
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.title()).not.toBe('pwned');

    await new DynamoDBClient(clientConfig).send(
      new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'visitor' } } }),
    );
    await page.locator('#redrive').click();
    expect(await page.locator('#redrive-notice').textContent()).toContain('Redrive 1 started');
    expect(await page.locator('#live').isChecked()).toBe(true);
    // No reload: the page follows the redriven execution by itself.
    await page.locator('h1 .status', { hasText: 'SUCCEEDED' }).waitFor({ timeout: 10_000 });
    expect(await nodeStatus(page, 'CountVisit')).toBe('succeeded');
    expect(await nodeStatus(page, 'Done')).toBe('succeeded');
    expect(await page.locator('#redrive').count()).toBe(0);
    expect(await page.locator('tr[data-event-type="ExecutionRedriven"]').count()).toBe(1);
    expect(dialogs).toEqual([]);
    await page.close();
  });

  async function createMachine(name: string, definition: unknown): Promise<string> {
    const { stateMachineArn = '' } = await new SFNClient(clientConfig).send(
      new CreateStateMachineCommand({
        name,
        roleArn: 'arn:aws:iam::000000000000:role/console',
        definition: JSON.stringify(definition),
      }),
    );
    return stateMachineArn;
  }

  const start = (stateMachineArn: string, name: string, input: unknown) =>
    new SFNClient(clientConfig).send(
      new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
    );

  it('searches executions, and folds a long history by state into pages', async () => {
    // Count and Check thirty times: 60 state visits, a history of some 180 events.
    const stateMachineArn = await createMachine('console-loop', {
      StartAt: 'Count',
      States: {
        Count: { Type: 'Pass', Parameters: { 'n.$': 'States.MathAdd($.n, 1)' }, Next: 'Check' },
        Check: {
          Type: 'Choice',
          Choices: [{ Variable: '$.n', NumericLessThan: 30, Next: 'Count' }],
          Default: 'Done',
        },
        Done: { Type: 'Succeed' },
      },
    });
    await start(stateMachineArn, 'loop-alpha', { n: 0 });
    await start(stateMachineArn, 'loop-beta', { n: 0 });
    await eventually(
      async () =>
        services.stepfunctions.listExecutions(stateMachineArn, 'SUCCEEDED').length === 2 ? true : undefined,
      10_000,
      'both loops to end',
    );
    const page = await browser.newPage();
    await page.goto(`${edge.url}/_aurora/console`);
    await page.locator('tr[data-machine="console-loop"] a', { hasText: 'console-loop' }).click();
    await page.locator('#search').fill('BETA');
    await page.locator('form.filters button').click();
    await page.locator('#count', { hasText: '1 of 2 executions' }).waitFor();
    expect(
      await page
        .locator('tr[data-execution]')
        .evaluateAll((rows) => rows.map((row) => row.dataset.execution)),
    ).toEqual(['loop-beta']);

    // The status tabs keep the search; clearing it shows every execution again.
    await page.locator('.tabs a', { hasText: 'SUCCEEDED' }).click();
    expect(await page.locator('#search').inputValue()).toBe('BETA');
    await page.locator('#search').fill('');
    await page.locator('form.filters button').click();
    await page.locator('#count', { hasText: '2 of 2 executions' }).waitFor();
    await page.locator('tr[data-execution="loop-alpha"] a').click();
    const pageLabel = page.locator('#history-page').first();
    // 30 × (Count, Check), Done, and the execution's own start and end.
    expect(await pageLabel.textContent()).toBe('States 1–25 of 63 · page 1 of 3');
    expect(await page.locator('details.group').count()).toBe(25);
    expect(await page.locator('details.group[open]').count()).toBe(0);
    expect(await page.locator('details.group').nth(1).getAttribute('data-state')).toBe('Count');
    await page.locator('details.group').nth(1).locator(':scope > summary').click();
    expect(
      await page
        .locator('details.group')
        .nth(1)
        .locator('tr[data-event-type="PassStateEntered"]')
        .isVisible(),
    ).toBe(true);

    await page.locator('a[rel="next"]').first().click();
    await page.locator('a[rel="next"]').first().click();
    expect(await pageLabel.textContent()).toBe('States 51–63 of 63 · page 3 of 3');
    expect(
      await page
        .locator('details.group')
        .evaluateAll((groups) => groups.slice(-2).map((group) => group.dataset.state)),
    ).toEqual(['Done', 'Execution']);
    expect(await page.locator('a[rel="next"]').count()).toBe(0);
    await page.close();
  });

  it("drills into a Map: each iteration's states under the Map, numbered", async () => {
    const stateMachineArn = await createMachine('console-map', {
      StartAt: 'EachName',
      States: {
        EachName: {
          Type: 'Map',
          ItemsPath: '$.names',
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'Shout',
            States: { Shout: { Type: 'Pass', End: true } },
          },
          End: true,
        },
      },
    });
    const { executionArn = '' } = await start(stateMachineArn, 'three-names', {
      names: ['ada', 'bob', 'cy'],
    });
    await eventually(
      async () =>
        services.stepfunctions.getExecution(executionArn)?.record.status === 'SUCCEEDED' ? true : undefined,
      10_000,
      'the Map to end',
    );
    const page = await browser.newPage();
    await page.goto(`${edge.url}/_aurora/console/execution?arn=${encodeURIComponent(executionArn)}`);
    const iterations = page.locator('details.group[data-state="Shout"]');
    expect(
      await iterations.evaluateAll((groups) => groups.map((group) => group.getAttribute('data-iteration'))),
    ).toEqual(['0', '1', '2']);
    expect(await iterations.nth(2).locator(':scope > summary').textContent()).toContain('iteration 2');
    const indent = (state: string) =>
      page
        .locator(`details.group[data-state="${state}"]`)
        .first()
        .evaluate((group) => group.getAttribute('style'));
    expect(await indent('EachName')).toBe('margin-left:0px');
    expect(await indent('Shout')).toBe('margin-left:20px');
    await page.close();
  });

  it('follows a running execution live as the clock moves, without a reload', async () => {
    const stateMachineArn = await createMachine('console-wait', {
      StartAt: 'Nap',
      States: { Nap: { Type: 'Wait', Seconds: 60, Next: 'Done' }, Done: { Type: 'Succeed' } },
    });
    const { executionArn = '' } = await start(stateMachineArn, 'napping', {});
    await eventually(
      async () =>
        services.stepfunctions
          .getExecution(executionArn)
          ?.history.some((event) => event.type === 'WaitStateEntered')
          ? true
          : undefined,
      10_000,
      'the Wait state',
    );
    const page = await browser.newPage();
    await page.goto(`${edge.url}/_aurora/console/execution?arn=${encodeURIComponent(executionArn)}`);
    expect(await page.locator('h1 .status').textContent()).toBe('RUNNING');
    expect(await page.locator('#live').isChecked()).toBe(true);
    // Gone if the page were loaded again.
    await page.evaluate('document.body.dataset.loadedOnce = "yes"');

    clock.advanceBy(60_000);
    await page.locator('h1 .status', { hasText: 'SUCCEEDED' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('.node[data-state="Done"]').getAttribute('data-status')).toBe('succeeded');
    expect(await page.evaluate('document.body.dataset.loadedOnce')).toBe('yes');
    await page.close();
  });

  it('links back to the /_aurora index, which has the console look', async () => {
    const page = await browser.newPage();
    await page.goto(`${edge.url}/_aurora/console`);
    await page.locator('header a', { hasText: 'All local consoles' }).click();
    await page.waitForURL(`${edge.url}/_aurora`);
    expect(await page.locator('h1').textContent()).toBe('Local consoles');
    expect(await page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor")).toBe(
      'rgb(35, 47, 62)',
    );
    await page.locator('ul.links a', { hasText: 'Step Functions console' }).click();
    await page.locator('h1', { hasText: 'State machines' }).waitFor();
    await page.close();
  });

  it('refuses a redrive posted from another site', async () => {
    const response = await fetch(`${edge.url}/_aurora/console/redrive`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'executionArn=arn%3Aaws%3Astates%3Aus-east-1%3A000000000000%3Aexecution%3Aconsole-visits%3Afirst-visit',
    });
    expect(response.status).toBe(403);
  });
});
