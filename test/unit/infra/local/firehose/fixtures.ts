/** The delivery stream of the analytics contract, as its template declares it, and readers of what it wrote. */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { S3Store } from '../../../../../infra/local/s3/store';
import { DAY_PARTITIONING } from '../../../../fixtures/analytics-contract';

export const ARCHIVE_BUCKET = 'aurora-archive';
export const STREAM_NAME = 'aurora-events';
export const STREAM_ARN = `arn:aws:firehose:eu-west-1:000000000000:deliverystream/${STREAM_NAME}`;

export function contractStreamProperties(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    DeliveryStreamName: STREAM_NAME,
    DeliveryStreamType: 'DirectPut',
    ExtendedS3DestinationConfiguration: {
      BucketARN: `arn:aws:s3:::${ARCHIVE_BUCKET}`,
      RoleARN: 'arn:aws:iam::000000000000:role/firehose',
      ...DAY_PARTITIONING,
      ...overrides,
    },
  };
}

export const eventRecord = (id: string, time: string, detail: Record<string, unknown> = {}) =>
  JSON.stringify({
    event_id: id,
    event_type: 'MessageReceived',
    event_source: 'aurora.messenger',
    event_time: time,
    detail,
  });

/** Every object under `prefix`, by key, with its content gunzipped when the key ends in `.gz`. */
export function objectsUnder(store: S3Store, prefix: string): Map<string, string> {
  const objects = new Map<string, string>();
  for (const object of store.list(ARCHIVE_BUCKET, { prefix }).objects) {
    const bytes = readFileSync(store.objectPath(ARCHIVE_BUCKET, object.key));
    objects.set(object.key, (object.key.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8'));
  }
  return objects;
}
