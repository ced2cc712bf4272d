/**
 * Issue 12: boto3 (botocore's own parsers, not the JS SDK's) against the local edge. Runs
 * test/fixtures/boto3/smoke.py: DynamoDB, Step Functions (the dates boto3 once parsed as year 58889), SQS,
 * EventBridge and STS. Needs python3 with boto3; without them it registers nothing and says so loudly.
 */
import { execFile, spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { TEST_START, useTestCloud } from '../support/local-cloud';

const script = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/boto3/smoke.py');

const probe = spawnSync('python3', ['-c', 'import boto3; print(boto3.__version__)'], { encoding: 'utf8' });
const boto3Version = probe.status === 0 ? probe.stdout.trim() : undefined;
if (!boto3Version) {
  console.warn(
    '\n!!! python3 with boto3 not found (`python3 -c "import boto3"` failed): the boto3 smoke suite did NOT run !!!\n',
  );
}

interface SmokeResult {
  boto3: string;
  dynamodb: {
    tableStatus: string;
    creationDateTime: string;
    item: Record<string, Record<string, string>>;
    queryCount: number;
    querySortKeys: string[];
  };
  stepfunctions: {
    creationDate: string;
    startDate: string;
    status: string;
    output: unknown;
    executionStartDate: string;
    executionStopDate: string | null;
  };
  sqs: { emptyHasMessages: boolean; sentMessageId: string; bodies: string[] };
  events: { failedEntryCount: number; eventIds: (string | null)[] };
  sts: { account: string; arn: string };
}

if (boto3Version) {
  describe(`boto3 ${boto3Version} against the local edge`, () => {
    const test = useTestCloud();

    it('runs DynamoDB, Step Functions, SQS, EventBridge and STS calls and parses every answer', async () => {
      // Asynchronous: the cloud answers from this process while the script runs.
      const { stdout } = await promisify(execFile)('python3', [script, test.cloud.edgeUrl], {
        encoding: 'utf8',
        timeout: 50_000,
        env: { ...process.env, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
      });
      const result = JSON.parse(stdout) as SmokeResult;
      const year = String(new Date(TEST_START).getUTCFullYear());
      const cloudDay = new Date(TEST_START).toISOString().slice(0, 10);

      expect(result.dynamodb.tableStatus).toBe('ACTIVE');
      expect(result.dynamodb.creationDateTime.startsWith(year)).toBe(true);
      expect(result.dynamodb.item).toEqual({ pk: { S: 'u1' }, sk: { S: 'a' }, n: { N: '1' } });
      expect(result.dynamodb.queryCount).toBe(2);
      expect(result.dynamodb.querySortKeys).toEqual(['a', 'b']);

      // boto3 parses epoch seconds: milliseconds would have given year 58889 (or an overflow).
      for (const date of [
        result.stepfunctions.creationDate,
        result.stepfunctions.startDate,
        result.stepfunctions.executionStartDate,
        result.stepfunctions.executionStopDate,
      ]) {
        expect(date?.slice(0, 10)).toBe(cloudDay);
      }
      expect(result.stepfunctions.status).toBe('SUCCEEDED');
      expect(result.stepfunctions.output).toEqual({ hello: 'boto3' });

      expect(result.sqs.emptyHasMessages).toBe(false);
      expect(result.sqs.sentMessageId).toMatch(/^[0-9a-f-]{36}$/);
      expect(result.sqs.bodies).toEqual(['hello from boto3']);

      expect(result.events.failedEntryCount).toBe(0);
      expect(result.events.eventIds).toHaveLength(1);
      expect(result.events.eventIds[0]).toBeTruthy();

      expect(result.sts.account).toBe('000000000000');
      expect(result.sts.arn).toBe('arn:aws:iam::000000000000:root');
    });
  });
}
