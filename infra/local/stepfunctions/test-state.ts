/**
 * The TestState API: runs one state on its own. The state becomes the start of a small machine whose
 * possible next states are stand-in Succeed states, so the engine's normal path (Retry aside) is reused.
 */
import type { TestStateInput } from '@aws-sdk/client-sfn';
import type { Clock } from '../clock';
import { AwsServiceError } from '../edge/contracts';
import { Execution } from './engine/execution';
import type { TaskTokens } from './engine/task-tokens';
import type { TaskPort } from './engine/tasks';
import type { MachineDefinition, StateDefinition } from './engine/types';

export interface TestStateDeps {
  readonly clock: Clock;
  readonly tasks: TaskPort;
  readonly tokens: TaskTokens;
  readonly region: string;
  readonly accountId: string;
}

const TEST_STATE = 'TestState';

function nextStates(state: Record<string, unknown>): string[] {
  const names = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value === 'string') names.add(value);
  };
  add(state.Next);
  add(state.Default);
  for (const list of [state.Choices, state.Catch]) {
    if (Array.isArray(list)) for (const item of list) add((item as Record<string, unknown>).Next);
  }
  return [...names];
}

export async function runTestState(
  input: TestStateInput,
  deps: TestStateDeps,
): Promise<Record<string, unknown>> {
  let state: StateDefinition;
  try {
    state = JSON.parse(String(input.definition)) as StateDefinition;
  } catch {
    throw new AwsServiceError('InvalidDefinition', 'Invalid State Definition: not valid JSON');
  }
  if (typeof state?.Type !== 'string')
    throw new AwsServiceError('InvalidDefinition', "Invalid State Definition: missing 'Type'");
  const definition: MachineDefinition = {
    StartAt: TEST_STATE,
    States: {
      [TEST_STATE]: state,
      ...Object.fromEntries(nextStates(state).map((name) => [name, { Type: 'Succeed' }])),
    },
  };
  const name = crypto.randomUUID();
  const stateMachineArn = `arn:aws:states:${deps.region}:${deps.accountId}:stateMachine:TestState`;
  const execution = new Execution(
    {
      executionArn: `arn:aws:states:${deps.region}:${deps.accountId}:execution:TestState:${name}`,
      name,
      stateMachineArn,
      stateMachineName: TEST_STATE,
      roleArn: input.roleArn ?? '',
      region: deps.region,
      definition,
      input: input.input ? JSON.parse(input.input) : {},
      startTime: deps.clock.now(),
    },
    { clock: deps.clock, tasks: deps.tasks, tokens: deps.tokens },
  );
  const result = await execution.start();
  const events = execution.history.events;
  const exited = events.find((event) => event.type.endsWith('StateExited'));
  const entered = events.filter((event) => event.type.endsWith('StateEntered'));
  const nextState = (entered[1]?.stateEnteredEventDetails as { name?: string } | undefined)?.name;
  const output = (exited?.stateExitedEventDetails as { output?: string } | undefined)?.output;
  if (result.status === 'FAILED') {
    return { status: 'FAILED', error: result.error, cause: result.cause };
  }
  const caught = events.some((event) => /Failed$|TimedOut$/.test(event.type));
  return {
    status: caught ? 'CAUGHT_ERROR' : 'SUCCEEDED',
    ...(output !== undefined ? { output } : {}),
    ...(nextState ? { nextState } : {}),
  };
}
