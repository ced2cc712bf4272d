/**
 * Firehose into the local S3 end to end, from a template as the analytics stack declares it: records put with
 * the Firehose SDK, and bus events sent by a rule's Firehose target, come out as gzip NDJSON objects under the
 * day partitions once the buffer interval passes on the clock; acknowledged records survive a kill -9.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FLAT_RECORD_TRANSFORMER } from '../fixtures/analytics-contract';
import { repositoryModule, startChildProgram } from '../support/cli-process';
import { edgeClientConfig, startTestCloud, type TestCloud } from '../support/local-cloud';
import { eventually } from '../support/polling';
import { contractStreamProperties, eventRecord } from '../unit/infra/local/firehose/fixtures';

const BUCKET = 'aurora-archive';
const BUS = 'aurora-test';
const STREAM = 'aurora-events';
const encode = (text: string) => new TextEncoder().encode(text);

const template = {
  Resources: {
    Archive: { Type: 'AWS::S3::Bucket', Properties: { BucketName: BUCKET } },
    AppBus: { Type: 'AWS::Events::EventBus', Properties: { Name: BUS } },
    ArchiveDeadLetters: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'archive-dlq' } },
    Events: {
      Type: 'AWS::KinesisFirehose::DeliveryStream',
      Properties: {
        ...contractStreamProperties(),
        ExtendedS3DestinationConfiguration: {
          ...(contractStreamProperties().ExtendedS3DestinationConfiguration as Record<string, unknown>),
          BucketARN: { 'Fn::GetAtt': ['Archive', 'Arn'] },
        },
      },
    },
    ToArchive: {
      Type: 'AWS::Events::Rule',
      Properties: {
        EventBusName: { Ref: 'AppBus' },
        EventPattern: { source: [{ prefix: 'aurora.' }] },
        Targets: [
          {
            Id: 'archive',
            Arn: { 'Fn::GetAtt': ['Events', 'Arn'] },
            RoleArn: 'arn:aws:iam::000000000000:role/events-to-firehose',
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['ArchiveDeadLetters', 'Arn'] } },
            InputTransformer: FLAT_RECORD_TRANSFORMER,
          },
        ],
      },
    },
  },
};

function writeAssembly(): string {
  const directory = mkdtempSync(join(tmpdir(), 'aurora-firehose-assembly-'));
  writeFileSync(join(directory, 'Analytics.template.json'), JSON.stringify(template));
  writeFileSync(
    join(directory, 'manifest.json'),
    JSON.stringify({
      version: '36.0.0',
      artifacts: {
        Analytics: {
          type: 'aws:cloudformation:stack',
          properties: { templateFile: 'Analytics.template.json', stackName: 'Aurora-test-Analytics' },
        },
      },
    }),
  );
  return directory;
}

/** Every object under `prefix`, gunzipped, read through the S3 API. */
async function readObjects(s3: S3Client, prefix: string): Promise<Map<string, string>> {
  const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  const objects = new Map<string, string>();
  for (const { Key = '' } of Contents) {
    const { Body } = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }));
    objects.set(Key, gunzipSync(await (Body?.transformToByteArray() ?? new Uint8Array())).toString('utf8'));
  }
  return objects;
}

const advanceClock = (edgeUrl: string, duration: string) =>
  fetch(`${edgeUrl}/_aurora/clock`, { method: 'POST', body: JSON.stringify({ advanceBy: duration }) });

/** The analytics records in `objects`, parsed, in event-id order. */
const recordsIn = (objects: Map<string, string>) =>
  [...objects.values()]
    .flatMap((content) => content.split('\n').filter((line) => line !== ''))
    .map((line) => JSON.parse(line) as { event_id: string })
    .sort((a, b) => a.event_id.localeCompare(b.event_id));

describe('Firehose → local S3 from a template', () => {
  let assembly: string;
  let test: TestCloud | undefined;

  beforeAll(() => {
    assembly = writeAssembly();
  });

  afterEach(async () => {
    await test?.stop();
    test = undefined;
  });

  afterAll(() => rmSync(assembly, { recursive: true, force: true }));

  it('deploys the bucket and the stream, and delivers put records after the buffer interval', async () => {
    test = await startTestCloud({ assemblyDirectory: assembly });
    const { cloud, clientConfig } = test;
    expect(cloud.deployment.skipped).toEqual([]);
    const firehose = new FirehoseClient(clientConfig);
    const s3 = new S3Client(clientConfig);
    try {
      const { FailedPutCount } = await firehose.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: STREAM,
          Records: [
            { Data: encode(eventRecord('1', '2026-11-21T23:59:59Z', { psid: 'p1' })) },
            { Data: encode(eventRecord('2', '2026-11-22T09:00:00Z', { psid: 'p2' })) },
          ],
        }),
      );
      expect(FailedPutCount).toBe(0);
      expect((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).KeyCount).toBe(0);

      await advanceClock(cloud.edgeUrl, 'PT60S');
      const objects = await eventually(async () => {
        const found = await readObjects(s3, 'events/');
        return found.size === 2 ? found : undefined;
      });
      expect([...objects.keys()].map((key) => key.replace(/[0-9a-f-]{36}\.gz$/, '<uuid>.gz')).sort()).toEqual(
        [
          'events/event_date=2026-11-21/aurora-events-1-2026-11-22-09-00-00-<uuid>.gz',
          'events/event_date=2026-11-22/aurora-events-1-2026-11-22-09-00-00-<uuid>.gz',
        ],
      );
      expect(recordsIn(objects)).toEqual([
        JSON.parse(eventRecord('1', '2026-11-21T23:59:59Z', { psid: 'p1' })),
        JSON.parse(eventRecord('2', '2026-11-22T09:00:00Z', { psid: 'p2' })),
      ]);
    } finally {
      firehose.destroy();
      s3.destroy();
    }
  });

  it('archives bus events through a rule with a Firehose target, as one flat record each', async () => {
    test = await startTestCloud({ assemblyDirectory: assembly });
    const { cloud, clientConfig } = test;
    const events = new EventBridgeClient(clientConfig);
    const s3 = new S3Client(clientConfig);
    try {
      await events.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: BUS,
              Source: 'aurora.reminders',
              DetailType: 'ReminderDelivered',
              Detail: '{"reminderId":"r1","latenessMs":1200}',
            },
            { EventBusName: BUS, Source: 'other.app', DetailType: 'Ignored', Detail: '{}' },
          ],
        }),
      );
      // The rule delivers on its own schedule; the clock moves until the buffer it filled is written.
      const objects = await eventually(async () => {
        await advanceClock(cloud.edgeUrl, 'PT60S');
        const found = await readObjects(s3, 'events/event_date=2026-11-22/');
        return found.size > 0 ? found : undefined;
      });
      const records = recordsIn(objects);
      expect(records).toEqual([
        {
          event_id: expect.any(String),
          event_type: 'ReminderDelivered',
          event_source: 'aurora.reminders',
          event_time: '2026-11-22T09:00:00Z',
          detail: { reminderId: 'r1', latenessMs: 1200 },
        },
      ]);
    } finally {
      events.destroy();
      s3.destroy();
    }
  });

  it('keeps acknowledged records across a kill -9 and delivers them after the restart', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'aurora-firehose-crash-'));
    const child = await startChildCloud(stateDir, assembly);
    try {
      const firehose = new FirehoseClient(edgeClientConfig(child.edgeUrl, 'us-east-1'));
      await firehose.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: STREAM,
          Records: [{ Data: encode(eventRecord('crash-1', '2026-11-22T08:00:00Z')) }],
        }),
      );
      firehose.destroy();
    } finally {
      const exited = new Promise((done) => child.process.once('exit', done));
      child.process.kill('SIGKILL');
      await exited;
    }

    test = await startTestCloud({ assemblyDirectory: assembly, stateDir });
    const s3 = new S3Client(test.clientConfig);
    try {
      expect((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).KeyCount).toBe(0);
      await advanceClock(test.cloud.edgeUrl, 'PT60S');
      const objects = await eventually(async () => {
        const found = await readObjects(s3, 'events/');
        return found.size > 0 ? found : undefined;
      });
      expect(recordsIn(objects)).toEqual([JSON.parse(eventRecord('crash-1', '2026-11-22T08:00:00Z'))]);
    } finally {
      s3.destroy();
    }
  });
});

/** The local cloud on `stateDir` in a child process, to be killed with SIGKILL (no graceful flush). */
async function startChildCloud(
  stateDir: string,
  assemblyDirectory: string,
): Promise<{ process: ChildProcess; edgeUrl: string }> {
  const program = `
    import { startLocalCloud } from ${repositoryModule('infra/local/cloud.ts')};
    import { testConfig } from ${repositoryModule('test/support/local-cloud.ts')};
    const cloud = await startLocalCloud(testConfig(${JSON.stringify(stateDir)}), {
      assemblyDirectory: ${JSON.stringify(assemblyDirectory)},
      log: () => {},
    });
    process.stdout.write(cloud.edgeUrl + '\\n');
  `;
  const { child, firstLine } = await startChildProgram(program, 'the local cloud');
  return { process: child, edgeUrl: firstLine };
}
