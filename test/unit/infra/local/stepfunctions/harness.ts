/**
 * What the Step Functions unit tests share: one execution straight on the engine, services on a manual clock
 * and a temporary state directory, stock task ports, settling.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { Clock } from '../../../../../infra/local/clock';
import { Execution } from '../../../../../infra/local/stepfunctions/engine/execution';
import { TaskTokens } from '../../../../../infra/local/stepfunctions/engine/task-tokens';
import { AwsCallError, type TaskPort } from '../../../../../infra/local/stepfunctions/engine/tasks';
import type { MachineDefinition } from '../../../../../infra/local/stepfunctions/engine/types';
import { StepFunctionsService } from '../../../../../infra/local/stepfunctions/service';

export const ACCOUNT = { region: 'eu-west-1', accountId: '123456789012' };

/** Lets the promise chains the engine started run a few turns, without moving the clock. */
export const settle = async (): Promise<void> => {
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
};

/** For machines that must not call a task: any call fails the test's expectations. */
export const unusedPort: TaskPort = {
  invokeLambda: () => Promise.reject(new Error('unexpected')),
  callAws: () => Promise.reject(new Error('unexpected')),
};

/** Every SQS call fails as it does for a queue that is gone. */
export const failingSqsPort: TaskPort = {
  invokeLambda: () => Promise.reject(new Error('unexpected')),
  callAws: () => Promise.reject(new AwsCallError('QueueDoesNotExist', 'no such queue')),
};

/** Starts one execution of `definition` straight on the engine, at the clock's current time. */
export function startExecution(
  definition: MachineDefinition,
  input: unknown,
  tasks: TaskPort,
  clock = new Clock('manual', 0),
) {
  const tokens = new TaskTokens();
  const execution = new Execution(
    {
      executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:m:e',
      name: 'e',
      stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:m',
      stateMachineName: 'm',
      roleArn: 'arn:aws:iam::123456789012:role/r',
      region: 'eu-west-1',
      definition,
      input,
      startTime: clock.now(),
    },
    { clock, tasks, tokens },
  );
  return { execution, done: execution.start(), clock, tokens };
}

type ServiceOptions = ConstructorParameters<typeof StepFunctionsService>[0];

/**
 * Registers hooks that give every test a manual clock at `startAt` and a fresh state directory, and close
 * every service the test made. Read `clock` inside tests only.
 */
export function useStepFunctionsServices(startAt: number) {
  let clock: Clock | undefined;
  let stateDir = '';
  const services: StepFunctionsService[] = [];
  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'sfn-'));
    clock = new Clock('manual', startAt);
  });
  afterEach(() => {
    for (const service of services.splice(0)) service.close();
    rmSync(stateDir, { recursive: true, force: true });
  });
  const currentClock = (): Clock => {
    if (!clock) throw new Error('The Step Functions harness is only ready inside a test');
    return clock;
  };
  return {
    get clock(): Clock {
      return currentClock();
    },
    newService(tasks: TaskPort, extra: Partial<ServiceOptions> = {}): StepFunctionsService {
      const service = new StepFunctionsService({
        clock: currentClock(),
        stateDir,
        account: ACCOUNT,
        tasks,
        ...extra,
      });
      services.push(service);
      return service;
    },
  };
}
