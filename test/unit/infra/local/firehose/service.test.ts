import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeDeliveryStreamCommand,
  FirehoseClient,
  ListDeliveryStreamsCommand,
  PutRecordBatchCommand,
  PutRecordCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-firehose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Clock } from '../../../../../infra/local/clock';
import { type Edge, startEdge } from '../../../../../infra/local/edge/server';
import { FirehoseService } from '../../../../../infra/local/firehose/service';
import { S3Store } from '../../../../../infra/local/s3/store';
import { edgeClientConfig } from '../../../../support/local-cloud';
import { until } from '../../../../support/polling';
import {
  ARCHIVE_BUCKET,
  contractStreamProperties,
  eventRecord,
  objectsUnder,
  STREAM_ARN,
  STREAM_NAME,
} from './fixtures';

const account = { region: 'eu-west-1', accountId: '000000000000' };
const START = Date.UTC(2026, 11, 3, 10, 15, 0);
const encode = (text: string) => new TextEncoder().encode(text);

describe('local Firehose', () => {
  let stateDir: string;
  let clock: Clock;
  let store: S3Store;
  let firehose: FirehoseService;
  let edge: Edge;
  let client: FirehoseClient;
  const logged: string[] = [];

  function startFirehose(properties = contractStreamProperties()): FirehoseService {
    const service = new FirehoseService({
      clock,
      stateDir,
      account,
      s3: store,
      log: (line) => logged.push(line),
    });
    service.define(STREAM_NAME, STREAM_ARN, properties);
    // The latest registration of a target prefix wins: a restarted service takes over the edge.
    edge.register(service.edgeService);
    return service;
  }

  function restartProcess(): void {
    clock = new Clock('manual', clock.now());
    store = new S3Store(stateDir, clock);
    firehose = startFirehose();
  }

  beforeEach(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'aurora-firehose-'));
    clock = new Clock('manual', START);
    store = new S3Store(stateDir, clock);
    store.createBucket(ARCHIVE_BUCKET);
    edge = await startEdge({ port: 0, services: [], account });
    firehose = startFirehose();
    client = new FirehoseClient(edgeClientConfig(edge.url, account.region));
    logged.length = 0;
  });

  afterEach(async () => {
    client.destroy();
    firehose.stop();
    await edge.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const events = () => objectsUnder(store, 'events/');
  const advance = async (ms: number, until_: () => boolean) => {
    clock.advanceBy(ms);
    await until(until_, 'the buffer was delivered');
  };

  it('buffers for the interval, then writes one gzip NDJSON object per day partition', async () => {
    await client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: STREAM_NAME,
        Records: [
          { Data: encode(eventRecord('1', '2026-12-03T10:14:59Z', { psid: 'a' })) },
          { Data: encode(eventRecord('2', '2026-12-02T23:59:59Z')) },
          { Data: encode(eventRecord('3', '2026-12-03T10:15:00Z')) },
        ],
      }),
    );
    clock.advanceBy(59_999);
    await Promise.resolve();
    expect(events().size).toBe(0);

    await advance(1, () => events().size === 2);
    const objects = [...events()];
    const keyPattern =
      /^events\/event_date=(2026-12-0[23])\/aurora-events-1-2026-12-03-10-15-00-[0-9a-f-]{36}\.gz$/;
    expect(objects.map(([key]) => keyPattern.exec(key)?.[1]).sort()).toEqual(['2026-12-02', '2026-12-03']);
    const day3 = objects.find(([key]) => key.includes('2026-12-03/'))?.[1] ?? '';
    expect(day3.split('\n')).toEqual([
      eventRecord('1', '2026-12-03T10:14:59Z', { psid: 'a' }),
      eventRecord('3', '2026-12-03T10:15:00Z'),
      '',
    ]);
  });

  it('sends a record the partition query cannot read to the error prefix, with its raw data', async () => {
    await client.send(
      new PutRecordCommand({ DeliveryStreamName: STREAM_NAME, Record: { Data: encode('{"no_time":1}') } }),
    );
    await client.send(
      new PutRecordCommand({ DeliveryStreamName: STREAM_NAME, Record: { Data: encode('not json') } }),
    );
    await advance(60_000, () => objectsUnder(store, 'errors/').size === 1);
    const [[key, content] = ['', '']] = [...objectsUnder(store, 'errors/')];
    expect(key).toMatch(
      /^errors\/processing-failed\/2026-12-03\/aurora-events-1-2026-12-03-10-15-00-.+\.gz$/,
    );
    const documents = content
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(documents.map((document) => Buffer.from(document.rawData, 'base64').toString())).toEqual([
      '{"no_time":1}',
      'not json',
    ]);
    expect(documents[0]).toMatchObject({
      errorCode: 'DynamicPartitioning.MetadataExtractionFailed',
      errorMessage: expect.stringMatching(/event_date/),
      arrivalTimestamp: START,
    });
    expect(events().size).toBe(0);
  });

  it('without dynamic partitioning writes under the default YYYY/MM/dd/HH/ prefix, records as sent', async () => {
    firehose.stop();
    firehose = startFirehose({
      DeliveryStreamName: STREAM_NAME,
      ExtendedS3DestinationConfiguration: {
        BucketARN: `arn:aws:s3:::${ARCHIVE_BUCKET}`,
        RoleARN: 'arn:aws:iam::000000000000:role/firehose',
        BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 1 },
      },
    });
    await client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: STREAM_NAME,
        Records: [{ Data: encode('a') }, { Data: encode('b') }],
      }),
    );
    await advance(60_000, () => objectsUnder(store, '2026/').size === 1);
    const [[key, content] = ['', '']] = [...objectsUnder(store, '2026/')];
    expect(key).toMatch(/^2026\/12\/03\/10\/aurora-events-1-2026-12-03-10-15-00-[0-9a-f-]{36}$/);
    expect(content).toBe('ab');
  });

  it('delivers a buffer that reaches SizeInMBs at once, without waiting for the interval', async () => {
    firehose.stop();
    firehose = startFirehose(
      contractStreamProperties({ BufferingHints: { IntervalInSeconds: 900, SizeInMBs: 1 } }),
    );
    const padding = 'x'.repeat(600 * 1024);
    for (const id of ['1', '2']) {
      await client.send(
        new PutRecordCommand({
          DeliveryStreamName: STREAM_NAME,
          Record: { Data: encode(eventRecord(id, '2026-12-03T10:00:00Z', { padding })) },
        }),
      );
    }
    expect(events().size).toBe(1);
  });

  it('keeps acknowledged records across a crash and delivers them once after the restart', async () => {
    await client.send(
      new PutRecordCommand({
        DeliveryStreamName: STREAM_NAME,
        Record: { Data: encode(eventRecord('1', '2026-12-03T10:00:00Z')) },
      }),
    );
    // A crash: the old service is dropped without stop(), nothing delivered; a new process (its own clock)
    // starts on the same state.
    restartProcess();
    await advance(60_000, () => events().size === 1);
    expect([...events().values()]).toEqual([`${eventRecord('1', '2026-12-03T10:00:00Z')}\n`]);

    restartProcess();
    clock.advanceBy(120_000);
    await Promise.resolve();
    expect(events().size).toBe(1);
  });

  it('delivers what is buffered on a graceful stop', async () => {
    await client.send(
      new PutRecordCommand({
        DeliveryStreamName: STREAM_NAME,
        Record: { Data: encode(eventRecord('1', '2026-12-03T10:00:00Z')) },
      }),
    );
    firehose.stop();
    expect(events().size).toBe(1);
  });

  it('retries a delivery whose bucket is missing, keeping the records buffered', async () => {
    store.deleteBucket(ARCHIVE_BUCKET);
    await client.send(
      new PutRecordCommand({
        DeliveryStreamName: STREAM_NAME,
        Record: { Data: encode(eventRecord('1', '2026-12-03T10:00:00Z')) },
      }),
    );
    clock.advanceBy(60_000);
    await until(
      () => logged.some((line) => line.includes('could not deliver')),
      'the failed delivery was logged',
    );
    store.createBucket(ARCHIVE_BUCKET);
    await advance(60_000, () => events().size === 1);
  });

  it('describes and lists its streams, and names a missing one', async () => {
    const { DeliveryStreamDescription } = await client.send(
      new DescribeDeliveryStreamCommand({ DeliveryStreamName: STREAM_NAME }),
    );
    expect(DeliveryStreamDescription).toMatchObject({
      DeliveryStreamName: STREAM_NAME,
      DeliveryStreamARN: STREAM_ARN,
      DeliveryStreamStatus: 'ACTIVE',
      DeliveryStreamType: 'DirectPut',
      CreateTimestamp: new Date(START),
      Destinations: [
        {
          ExtendedS3DestinationDescription: {
            BucketARN: `arn:aws:s3:::${ARCHIVE_BUCKET}`,
            CompressionFormat: 'GZIP',
            BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 64 },
          },
        },
      ],
    });
    expect(await client.send(new ListDeliveryStreamsCommand({}))).toMatchObject({
      DeliveryStreamNames: [STREAM_NAME],
      HasMoreDeliveryStreams: false,
    });
    await expect(
      client.send(new PutRecordCommand({ DeliveryStreamName: 'missing', Record: { Data: encode('x') } })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
