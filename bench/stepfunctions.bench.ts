/**
 * State transitions per second of the local engine against the `aws-local-stepfunctions` package, on the same
 * Pass-, Choice- and Map-heavy JSONPath definitions, in the same process.
 */
import { Clock } from '../infra/local/clock';
import { Execution } from '../infra/local/stepfunctions/engine/execution';
import { TaskTokens } from '../infra/local/stepfunctions/engine/task-tokens';
import type { TaskPort } from '../infra/local/stepfunctions/engine/tasks';
import type { MachineDefinition } from '../infra/local/stepfunctions/engine/types';
import type { BenchRow } from './index';

const passChain: MachineDefinition = {
  StartAt: 'P0',
  States: Object.fromEntries(
    Array.from({ length: 40 }, (_, index) => [
      `P${index}`,
      {
        Type: 'Pass',
        Parameters: { 'count.$': '$.count', 'label.$': '$.label', step: index },
        ResultPath: '$.last',
        ...(index === 39 ? { End: true } : { Next: `P${index + 1}` }),
      },
    ]),
  ),
};

const choiceLoop: MachineDefinition = {
  StartAt: 'Check',
  States: {
    Check: {
      Type: 'Choice',
      Choices: [
        {
          And: [
            { Variable: '$.count', NumericLessThan: 100 },
            { Variable: '$.label', StringEquals: 'bench' },
          ],
          Next: 'Increment',
        },
      ],
      Default: 'Done',
    },
    Increment: {
      Type: 'Pass',
      Parameters: { 'count.$': 'States.MathAdd($.count, 1)', 'label.$': '$.label' },
      Next: 'Check',
    },
    Done: { Type: 'Succeed' },
  },
};

const mapFanOut: MachineDefinition = {
  StartAt: 'Items',
  States: {
    Items: { Type: 'Pass', Parameters: { 'items.$': 'States.ArrayRange(1, 100, 1)' }, Next: 'Each' },
    Each: {
      Type: 'Map',
      ItemsPath: '$.items',
      ItemSelector: { 'value.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index' },
      ItemProcessor: {
        StartAt: 'Classify',
        States: {
          Classify: {
            Type: 'Choice',
            Choices: [{ Variable: '$.value', NumericGreaterThan: 50, Next: 'Big' }],
            Default: 'Small',
          },
          Big: { Type: 'Pass', Parameters: { 'value.$': '$.value', size: 'big' }, End: true },
          Small: { Type: 'Pass', Parameters: { 'value.$': '$.value', size: 'small' }, End: true },
        },
      },
      ResultPath: '$.classified',
      End: true,
    },
  },
};

const input = { count: 0, label: 'bench' };
const noTasks: TaskPort = {
  invokeLambda: () => Promise.reject(new Error('no tasks in the benchmark')),
  callAws: () => Promise.reject(new Error('no tasks in the benchmark')),
};

async function runLocal(definition: MachineDefinition, clock: Clock, tokens: TaskTokens): Promise<number> {
  const execution = new Execution(
    {
      executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:bench:run',
      name: 'run',
      stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:bench',
      stateMachineName: 'bench',
      roleArn: 'arn:aws:iam::123456789012:role/bench',
      region: 'eu-west-1',
      definition,
      input,
      startTime: clock.now(),
    },
    { clock, tasks: noTasks, tokens },
  );
  const result = await execution.start();
  if (result.status !== 'SUCCEEDED') throw new Error(`bench execution ${result.status}: ${result.cause}`);
  return execution.history.events.filter((event) => event.type.endsWith('StateEntered')).length;
}

/** Runs `once` repeatedly for about `budgetMs`; returns transitions per second. */
async function measure(
  once: () => Promise<unknown>,
  transitionsPerRun: number,
  budgetMs: number,
): Promise<number> {
  for (let warmup = 0; warmup < 20; warmup++) await once();
  let runs = 0;
  const started = performance.now();
  while (performance.now() - started < budgetMs) {
    await once();
    runs++;
  }
  return (runs * transitionsPerRun) / ((performance.now() - started) / 1000);
}

export async function run(): Promise<BenchRow[]> {
  // aws-local-stepfunctions needs Promise.withResolvers, which Node 20 lacks.
  const promiseStatics = Promise as unknown as { withResolvers?: () => unknown };
  promiseStatics.withResolvers ??= () => {
    let resolve: unknown;
    let reject: unknown;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
  const { StateMachine } = await import('aws-local-stepfunctions');
  const clock = new Clock('manual');
  const tokens = new TaskTokens();
  const rows: BenchRow[] = [];
  for (const [name, definition] of [
    ['Pass chain (40 states)', passChain],
    ['Choice loop (100 rounds)', choiceLoop],
    ['Map over 100 items', mapFanOut],
  ] as const) {
    const transitions = await runLocal(definition, clock, tokens);
    const peer = new StateMachine(definition as never, {
      validationOptions: { checkPaths: false, checkArn: false },
    });
    const ours = await measure(() => runLocal(definition, clock, tokens), transitions, 3000);
    const theirs = await measure(() => peer.run(input).result, transitions, 3000);
    const ratio = ours / theirs;
    rows.push({
      name: `Step Functions transitions/s, ${name}`,
      value: `${Math.round(ours).toLocaleString('en')} transitions/s`,
      baseline: `aws-local-stepfunctions: ${Math.round(theirs).toLocaleString('en')} transitions/s`,
      ratio: `${ratio.toFixed(1)}x`,
      target: '>= 3x',
      met: ratio >= 3,
    });
  }
  return rows;
}
