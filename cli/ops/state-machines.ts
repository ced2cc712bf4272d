/**
 * Step Functions queries the ops commands share: machines, executions in a window, histories (which the cost
 * measurement and the benches read too), failures.
 */
import {
  type ExecutionListItem,
  type ExecutionStatus,
  type HistoryEvent,
  paginateGetExecutionHistory,
  paginateListExecutions,
  paginateListStateMachines,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { OpsContext } from './context';

export interface Machine {
  readonly name: string;
  readonly arn: string;
}

/** Every state machine, or only the one --machine names. */
export async function machines(context: OpsContext): Promise<Machine[]> {
  const found: Machine[] = [];
  for await (const page of paginateListStateMachines({ client: context.sfn }, {}))
    for (const machine of page.stateMachines ?? [])
      if (machine.name && machine.stateMachineArn)
        found.push({ name: machine.name, arn: machine.stateMachineArn });
  const only = context.options.machine;
  return only === undefined ? found : found.filter((machine) => machine.name === only);
}

/** A machine's executions, newest first, started within `windowMs` of now when given. */
export async function listExecutions(
  context: OpsContext,
  stateMachineArn: string,
  statusFilter: ExecutionStatus | undefined,
  windowMs: number | undefined,
): Promise<ExecutionListItem[]> {
  const found: ExecutionListItem[] = [];
  const oldest = windowMs === undefined ? undefined : context.now() - windowMs;
  for await (const page of paginateListExecutions({ client: context.sfn }, { stateMachineArn, statusFilter }))
    for (const execution of page.executions ?? []) {
      // Newest first: once one is older than the window, the rest are too.
      if (oldest !== undefined && (execution.startDate?.getTime() ?? 0) < oldest) return found;
      found.push(execution);
    }
  return found;
}

/** An execution ARN as it is, or the ARN of the execution with that name on any (or the --machine) machine. */
export async function resolveExecution(context: OpsContext, reference: string): Promise<string> {
  if (reference.startsWith('arn:')) return reference;
  for (const machine of await machines(context))
    for (const execution of await listExecutions(context, machine.arn, undefined, undefined))
      if (execution.name === reference && execution.executionArn) return execution.executionArn;
  throw new Error(`no execution named ${reference}`);
}

/** Every event of an execution's history, page by page (the cost measurement and the benches read it too). */
export async function executionHistory(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  for await (const page of paginateGetExecutionHistory({ client: sfn, pageSize: 1000 }, { executionArn }))
    events.push(...(page.events ?? []));
  return events;
}

export const history = (context: OpsContext, executionArn: string): Promise<HistoryEvent[]> =>
  executionHistory(context.sfn, executionArn);

const FAILED_STATUSES: readonly ExecutionStatus[] = ['FAILED', 'TIMED_OUT', 'ABORTED'];

/** FAILED, TIMED_OUT and ABORTED executions started within the window. */
export async function failedExecutions(
  context: OpsContext,
  windowMs: number | undefined,
): Promise<{ machine: string; arn: string }[]> {
  const found: { machine: string; arn: string }[] = [];
  for (const machine of await machines(context))
    for (const status of FAILED_STATUSES)
      for (const execution of await listExecutions(context, machine.arn, status, windowMs))
        if (execution.executionArn) found.push({ machine: machine.name, arn: execution.executionArn });
  return found;
}
