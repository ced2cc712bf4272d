import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, test } from 'vitest';
import { executionPath, transitionKey } from '../../../../../infra/local/console/execution-path';
import { renderGraph } from '../../../../../infra/local/console/graph';
import type { MachineDefinition } from '../../../../../infra/local/stepfunctions/engine/types';
import type { StepFunctionsService } from '../../../../../infra/local/stepfunctions/service';
import { failingSqsPort, startExecution, useStepFunctionsServices } from '../stepfunctions/harness';

const definition: MachineDefinition = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Next: 'Both' },
    Both: {
      Type: 'Parallel',
      Next: 'Done',
      Branches: [
        { StartAt: 'Nap', States: { Nap: { Type: 'Wait', Seconds: 60, End: true } } },
        {
          StartAt: 'Send',
          States: {
            Send: {
              Type: 'Task',
              Resource: 'arn:aws:states:::sqs:sendMessage',
              Parameters: { QueueUrl: 'q', MessageBody: 'x' },
              End: true,
            },
          },
        },
      ],
    },
    Done: { Type: 'Succeed' },
  },
};

async function failedHistory() {
  const { execution, done } = startExecution(definition, {}, failingSqsPort);
  const result = await done;
  return { events: execution.history.events, status: result.status };
}

describe('execution path', () => {
  test('marks the failing task, the Parallel around it, the aborted sibling and the transitions taken', async () => {
    const { events, status } = await failedHistory();
    const path = executionPath(events, status);
    expect(Object.fromEntries(path.states)).toEqual({
      Prepare: 'succeeded',
      Both: 'failed',
      Nap: 'aborted',
      Send: 'failed',
    });
    expect(path.transitions.has(transitionKey('Prepare', 'Both'))).toBe(true);
    expect(path.transitions.has(transitionKey('Both', 'Done'))).toBe(false);
  });

  test('a state still open when the execution was stopped counts as aborted', () => {
    const path = executionPath(
      [
        { id: 1, previousEventId: 0, type: 'ExecutionStarted', timestamp: 0 },
        {
          id: 2,
          previousEventId: 1,
          type: 'WaitStateEntered',
          timestamp: 0,
          stateEnteredEventDetails: { name: 'Nap' },
        },
        { id: 3, previousEventId: 2, type: 'ExecutionAborted', timestamp: 0 },
      ],
      'ABORTED',
    );
    expect(path.states.get('Nap')).toBe('aborted');
  });
});

describe('graph', () => {
  test('nests branches in their Parallel and stacks states in layers with their edges', async () => {
    const { events, status } = await failedHistory();
    const html = renderGraph(JSON.stringify(definition), executionPath(events, status));
    const both = html.indexOf('data-state="Both"');
    expect(both).toBeGreaterThan(html.indexOf('data-state="Prepare"'));
    expect(html.indexOf('data-state="Nap"')).toBeGreaterThan(both);
    expect(html.indexOf('data-state="Done"')).toBeGreaterThan(html.indexOf('data-state="Send"'));
    expect(html).toContain('data-state="Send" data-status="failed"');
    expect(html).toContain('data-state="Done" data-status="not-run"');
    expect(html).toContain('&quot;from&quot;:&quot;Prepare&quot;,&quot;to&quot;:&quot;Both&quot;');
  });

  test('escapes state names and survives loops and definitions that are not JSON', () => {
    const looping = {
      StartAt: '<b>Check</b>',
      States: {
        '<b>Check</b>': {
          Type: 'Choice',
          Choices: [{ Variable: '$.done', BooleanEquals: true, Next: 'End"' }],
          Default: 'Again',
        },
        Again: { Type: 'Pass', Next: '<b>Check</b>' },
        'End"': { Type: 'Succeed' },
      },
    };
    const html = renderGraph(JSON.stringify(looping), { states: new Map(), transitions: new Set() });
    expect(html).not.toContain('<b>');
    expect(html).toContain('data-state="&lt;b&gt;Check&lt;/b&gt;"');
    expect(html).toContain('data-state="End&quot;"');
    expect(renderGraph('{not json <script>', { states: new Map(), transitions: new Set() })).toBe(
      '<pre class="json">{not json &lt;script&gt;</pre>',
    );
  });
});

describe('console routes', () => {
  const sfn = useStepFunctionsServices(0);

  function serve(service: StepFunctionsService, method: string, url: string, body = '', origin?: string) {
    const request = { method, url, headers: { host: 'localhost', ...(origin ? { origin } : {}) } };
    const response = {
      statusCode: 0,
      headers: {} as Record<string, string>,
      body: '',
      setHeader(name: string, value: string) {
        this.headers[name] = value;
      },
      end(text: string) {
        this.body = text;
      },
    };
    void service.consoleService.handle(
      request as unknown as IncomingMessage,
      response as unknown as ServerResponse,
      Buffer.from(body),
    );
    return response;
  }

  async function serviceWithFailedExecution() {
    const service = sfn.newService(failingSqsPort);
    const { stateMachineArn } = service.createStateMachine({
      name: 'orders',
      roleArn: 'arn:aws:iam::123456789012:role/r',
      definition: JSON.stringify(definition),
    });
    const { executionArn } = service.startExecution({ stateMachineArn, name: 'first' });
    await service.waitForExecution(executionArn);
    return { service, stateMachineArn, executionArn };
  }

  test('lists machines, filters executions by status and shows one execution', async () => {
    const { service, stateMachineArn, executionArn } = await serviceWithFailedExecution();
    expect(serve(service, 'GET', '/_aurora/console').body).toContain('data-machine="orders"');
    const failed = serve(
      service,
      'GET',
      `/_aurora/console/state-machine?arn=${stateMachineArn}&status=FAILED`,
    );
    expect(failed.body).toContain('data-execution="first" data-status="FAILED"');
    const running = serve(
      service,
      'GET',
      `/_aurora/console/state-machine?arn=${stateMachineArn}&status=RUNNING`,
    );
    expect(running.body).toContain('No executions.');
    const page = serve(service, 'GET', `/_aurora/console/execution?arn=${encodeURIComponent(executionArn)}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('id="redrive"');
  });

  test('redrives from a same-site form and answers unknown pages with 404', async () => {
    const { service, executionArn } = await serviceWithFailedExecution();
    const form = `executionArn=${encodeURIComponent(executionArn)}`;
    expect(serve(service, 'POST', '/_aurora/console/redrive', form, 'http://elsewhere').statusCode).toBe(403);
    const redirected = serve(service, 'POST', '/_aurora/console/redrive', form, 'http://localhost');
    expect(redirected.statusCode).toBe(303);
    expect(redirected.headers.location).toContain('/_aurora/console/execution?arn=');
    expect(service.getExecution(executionArn)?.record.redriveCount).toBe(1);
    await service.waitForExecution(executionArn);
    const notRedrivable = serve(service, 'POST', '/_aurora/console/redrive', 'executionArn=nope');
    expect(notRedrivable.statusCode).toBe(404);
    expect(serve(service, 'GET', '/_aurora/console/elsewhere').statusCode).toBe(404);
  });
});
