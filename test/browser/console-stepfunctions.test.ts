/**
 * The Step Functions ops console in Chromium: find a failed execution, see its failing state marked in the
 * graph, fix the cause, press Redrive and see the execution succeed. Inputs carry markup that must stay text.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateStateMachineCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../../infra/local/clock';
import { type Edge, startEdge } from '../../infra/local/edge/server';
import { LocalServices } from '../../infra/local/services';
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

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'aurora-console-browser-'));
    edge = await startEdge({ port: 0, host: '127.0.0.1', services: [], account });
    services = new LocalServices({
      clock: new Clock('manual', TEST_START),
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
                    CountVisit: {
                      Type: 'Task',
                      Resource: 'arn:aws:states:::dynamodb:updateItem',
                      Parameters: {
                        TableName: TABLE,
                        Key: { id: { S: 'visitor' } },
                        UpdateExpression: 'SET visits = :one',
                        ConditionExpression: 'attribute_exists(id)',
                        ExpressionAttributeValues: { ':one': { N: '1' } },
                      },
                      End: true,
                    },
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
    await eventually(
      async () => {
        await page.reload();
        return (await page.locator('h1 .status').textContent()) === 'SUCCEEDED' ? true : undefined;
      },
      10_000,
      'the redriven execution to succeed',
    );
    expect(await nodeStatus(page, 'CountVisit')).toBe('succeeded');
    expect(await nodeStatus(page, 'Done')).toBe('succeeded');
    expect(await page.locator('#redrive').count()).toBe(0);
    expect(await page.locator('tr[data-event-type="ExecutionRedriven"]').count()).toBe(1);
    expect(dialogs).toEqual([]);
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
