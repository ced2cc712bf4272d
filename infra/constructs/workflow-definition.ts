/**
 * The one place CDK loads a workflow: `workflows/<name>.asl.json`, with the retry policy for transient Lambda
 * errors added to every Lambda invoke task that states none of its own (a task that needs another policy, such
 * as a delivery retried on any error with a longer backoff, states it in the ASL file and keeps it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { REPOSITORY_ROOT } from './aurora-function';

/** What Step Functions recommends retrying on every Lambda invoke: the service's transient errors. */
export const LAMBDA_TRANSIENT_RETRY = [
  {
    ErrorEquals: [
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.TooManyRequestsException',
    ],
    MaxAttempts: 3,
    BackoffRate: 2,
    IntervalSeconds: 1,
  },
];

type State = Record<string, unknown>;
type States = Record<string, State>;

const isLambdaInvoke = (state: State) =>
  state.Type === 'Task' &&
  typeof state.Resource === 'string' &&
  state.Resource.startsWith('arn:aws:states:::lambda:invoke');

/** The state lists nested in a Parallel's branches or a Map's item processor. */
function nestedStates(state: State): States[] {
  const branches = Array.isArray(state.Branches) ? (state.Branches as Array<{ States: States }>) : [];
  const processor = (state.ItemProcessor ?? state.Iterator) as { States: States } | undefined;
  return [...branches, ...(processor ? [processor] : [])].map((machine) => machine.States);
}

function addLambdaRetry(states: States): void {
  for (const state of Object.values(states)) {
    if (isLambdaInvoke(state) && state.Retry === undefined) state.Retry = LAMBDA_TRANSIENT_RETRY;
    for (const nested of nestedStates(state)) addLambdaRetry(nested);
  }
}

/** The definition of `workflows/<name>.asl.json`, its `${Placeholders}` left for DefinitionSubstitutions. */
export function workflowDefinition(name: string): sfn.DefinitionBody {
  const definition = JSON.parse(
    readFileSync(join(REPOSITORY_ROOT, 'workflows', `${name}.asl.json`), 'utf8'),
  ) as { States: States };
  addLambdaRetry(definition.States);
  return sfn.DefinitionBody.fromString(JSON.stringify(definition, null, 2));
}
