import { describe, expect, it } from 'vitest';
import { NotEmulatedLocally } from '../../../../../infra/local/deployer/deploy';
import { renderTargetInput } from '../../../../../infra/local/eventbridge/target-input';
import { compilePrefix } from '../../../../../infra/local/firehose/prefix';
import { defineStream } from '../../../../../infra/local/firehose/stream';
import { FLAT_RECORD_TRANSFORMER } from '../../../../fixtures/analytics-contract';
import { contractStreamProperties, STREAM_ARN, STREAM_NAME } from './fixtures';

const define = (properties: Record<string, unknown>) => () =>
  defineStream(STREAM_NAME, STREAM_ARN, properties, 0);
const refusal = (properties: Record<string, unknown>): string => {
  try {
    define(properties)();
  } catch (error) {
    expect(error).toBeInstanceOf(NotEmulatedLocally);
    return (error as Error).message;
  }
  throw new Error('the stream was accepted');
};

describe('Firehose delivery stream definitions', () => {
  it("accepts the analytics contract's stream", () => {
    const stream = define(contractStreamProperties())();
    expect(stream).toMatchObject({
      bucket: 'aurora-archive',
      gzip: true,
      bufferIntervalMs: 60_000,
      appendDelimiter: true,
    });
    expect(stream.partitionQuery?.({ event_time: '2026-12-03T10:00:00Z' })).toEqual({
      event_date: '2026-12-03',
    });
  });

  it('refuses at deploy what the local cloud would do differently', () => {
    expect(refusal({ ...contractStreamProperties(), DeliveryStreamType: 'KinesisStreamAsSource' })).toMatch(
      /DirectPut only/,
    );
    expect(refusal({ SplunkDestinationConfiguration: {} })).toMatch(/Splunk destinations/);
    expect(refusal(contractStreamProperties({ CompressionFormat: 'Snappy' }))).toMatch(
      /CompressionFormat Snappy/,
    );
    expect(
      refusal(contractStreamProperties({ DataFormatConversionConfiguration: { Enabled: true } })),
    ).toMatch(/format conversion/);
    expect(
      refusal(
        contractStreamProperties({
          ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'Lambda', Parameters: [] }] },
        }),
      ),
    ).toMatch(/Lambda processors/);
    expect(refusal(contractStreamProperties({ Prefix: 'events/!{timestamp:yyyy-ww}/' }))).toMatch(
      /timestamp:yyyy-ww/,
    );
    expect(refusal(contractStreamProperties({ Prefix: 'events/!{partitionKeyFromLambda:day}/' }))).toMatch(
      /partitionKeyFromLambda/,
    );
  });

  it('fails a template Firehose itself would reject', () => {
    expect(define(contractStreamProperties({ ErrorOutputPrefix: undefined }))).toThrow(
      /requires an ErrorOutputPrefix/,
    );
    expect(define(contractStreamProperties({ BucketARN: 'arn:aws:sqs:eu-west-1:0:q' }))).toThrow(
      /not an S3 bucket ARN/,
    );
  });

  it('evaluates prefix expressions from the oldest record and the partition keys', () => {
    const { template } = compilePrefix(
      'y=!{timestamp:yyyy}/!{timestamp:MM-dd HH:mm:ss}/!{partitionKeyFromQuery:kind}/',
    );
    expect(template({ arrivedAt: Date.UTC(2026, 0, 2, 3, 4, 5), partitionKeys: { kind: 'login' } })).toBe(
      'y=2026/01-02 03:04:05/login/',
    );
  });
});

describe("the contract's InputTransformer for the Firehose target", () => {
  it('renders each event as one flat JSON record, detail as JSON', () => {
    const record = renderTargetInput(
      {
        InputTransformer: FLAT_RECORD_TRANSFORMER,
      },
      {
        id: 'e-1',
        'detail-type': 'ReminderDelivered',
        source: 'aurora.reminders',
        time: '2026-12-03T10:15:00Z',
        detail: { reminderId: 'r1', latenessMs: 1200, channels: ['email'], quoted: 'say "hi"' },
      },
      { ruleArn: 'arn:rule', ruleName: 'archive', ingestionTime: '2026-12-03T10:15:00Z' },
    );
    expect(JSON.parse(record)).toEqual({
      event_id: 'e-1',
      event_type: 'ReminderDelivered',
      event_source: 'aurora.reminders',
      event_time: '2026-12-03T10:15:00Z',
      detail: { reminderId: 'r1', latenessMs: 1200, channels: ['email'], quoted: 'say "hi"' },
    });
  });
});
