/**
 * The cost measurement on a local cloud running the real app: the transitions it reports per workflow, and
 * those the report prices, are the ones in the histories of the executions it ran, read here on their own.
 */
import {
  type HistoryEvent,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureOn } from '../../cli/cost/measure';
import {
  costReport,
  DEFAULT_PROFILE,
  inventory,
  type Measurement,
  monthlyOccurrences,
} from '../../cli/cost/model';
import { executionHistory } from '../../cli/ops/state-machines';
import { readAssembly } from '../../infra/local/deployer/assembly';
import { synthesizeCached } from '../../infra/local/synth';
import { useTestCloud } from '../support/local-cloud';

const test = useTestCloud({ app: true });
let sfn: SFNClient;
let measurement: Measurement;

beforeAll(async () => {
  sfn = new SFNClient(test.clientConfig);
  measurement = await measureOn(test.cloud, 'e2e');
}, 300_000);

afterAll(async () => {
  sfn?.destroy();
});

/** States entered, as Step Functions bills them (no retry happens in these runs: checked below). */
const statesEntered = (events: readonly HistoryEvent[]) =>
  events.filter((event) => event.type?.endsWith('StateEntered')).length;

describe('cost measurement', () => {
  it('ran a login and a reminder through the workflows a person uses', () => {
    expect(Object.keys(measurement.executionArns.login)).toEqual(['aurora-dev-otp-session']);
    expect(Object.keys(measurement.executionArns.reminder).sort()).toEqual([
      'aurora-dev-reminder-delivery',
      'aurora-dev-reminder-lifecycle',
    ]);
    const { login, reminder } = measurement.scenarios;
    expect(login.emails).toBe(1);
    expect(login.apiRequests).toBe(2);
    expect(reminder.schedulerInvocations).toBe(1);
    expect(reminder.eventsPut).toBeGreaterThan(0);
    expect(login.dynamoWriteUnits + reminder.dynamoWriteUnits).toBeGreaterThan(0);
    expect(
      Object.values(reminder.functions).reduce((sum, figures) => sum + figures.invocations, 0),
    ).toBeGreaterThan(0);
  });

  it('reports per workflow exactly the transitions in the histories of the executions it ran', async () => {
    const expected: Record<string, number> = {};
    const occurrences = monthlyOccurrences(DEFAULT_PROFILE);
    for (const scenario of ['login', 'reminder'] as const) {
      for (const [workflow, arns] of Object.entries(measurement.executionArns[scenario])) {
        let counted = 0;
        for (const executionArn of arns) {
          const events = await executionHistory(sfn, executionArn);
          expect(events.filter((event) => event.type === 'TaskFailed')).toEqual([]);
          expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
          counted += statesEntered(events);
        }
        expect(measurement.scenarios[scenario].workflows[workflow]?.transitions, workflow).toBe(counted);
        expect(measurement.scenarios[scenario].workflows[workflow]?.executions).toBe(arns.length);
        expected[workflow] = (expected[workflow] ?? 0) + occurrences[scenario] * counted;
      }
    }
    const report = costReport(
      inventory(readAssembly(synthesizeCached().directory)),
      DEFAULT_PROFILE,
      measurement,
    );
    expect(report.transitionsPerWorkflow).toEqual(expected);
    expect(report.express.find((advice) => advice.workflow === 'aurora-dev-otp-session')?.verdict).toBe(
      'cannot be Express',
    );
  });

  it('saw every execution the cloud ran', async () => {
    const { stateMachines = [] } = await sfn.send(new ListStateMachinesCommand({}));
    const measured = new Set(
      Object.values(measurement.executionArns).flatMap((byWorkflow) => Object.values(byWorkflow).flat()),
    );
    let executionsOnCloud = 0;
    for (const machine of stateMachines) {
      const { executions = [] } = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn: machine.stateMachineArn, maxResults: 1000 }),
      );
      executionsOnCloud += executions.length;
      for (const execution of executions) expect(measured.has(execution.executionArn ?? '')).toBe(true);
    }
    expect(executionsOnCloud).toBe(measured.size);
  });
});
