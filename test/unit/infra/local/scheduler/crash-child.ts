/**
 * Run as a child process by crash.test.ts: creates schedules, reports how many were acknowledged, then keeps
 * running until the parent kills it with SIGKILL.
 */
import { Clock } from '../../../../../infra/local/clock';
import { SchedulerService } from '../../../../../infra/local/scheduler/service';
import { ACCOUNT, FUNCTION_ARN, ROLE_ARN } from './fixtures';

const [stateDir = '', countText = '0'] = process.argv.slice(2);
const clock = new Clock('manual', Date.parse('2026-07-01T10:00:00Z'));
const ports = {
  invokeLambdaAsync: async () => {},
  startExecution: async () => 'arn:aws:states:eu-west-1:123456789012:execution:x:y',
  sendToQueue: async () => {},
  putEvents: async () => ({ failedEntryCount: 0 }),
  publishToTopic: async () => {},
  putFirehoseRecord: async () => {},
};
const scheduler = new SchedulerService({ clock, stateDir, account: ACCOUNT, ports });
const count = Number(countText);
for (let index = 0; index < count; index++) {
  scheduler.createSchedule(`reminder-${index}`, {
    ScheduleExpression: 'at(2026-07-02T09:00:00)',
    ScheduleExpressionTimezone: 'Europe/Paris',
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN, Input: `{"index":${index}}` },
  });
  process.stdout.write(`acknowledged ${index + 1}\n`);
}
setInterval(() => {}, 60_000);
