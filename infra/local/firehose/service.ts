/**
 * The local Firehose: DirectPut delivery streams from the template writing to the local S3, on the shared
 * clock. Records are buffered per partition (the dynamic partition keys, or one buffer without dynamic
 * partitioning) and delivered as one object when the buffer's interval has passed since its oldest record,
 * or at once when it reaches its size; a record the partition query cannot read goes to the error prefix.
 *
 * Durable as Firehose is: every record is appended to the stream's journal before PutRecord answers, and the
 * journal is rewritten with what is still buffered after each delivery, so a `kill -9` loses no acknowledged
 * record (a crash between writing an object and rewriting the journal delivers that object's records twice,
 * as Firehose's at-least-once delivery may). A graceful stop delivers every buffer.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type {
  DescribeDeliveryStreamInput,
  Firehose,
  ListDeliveryStreamsInput,
  PutRecordBatchInput,
  PutRecordInput,
} from '@aws-sdk/client-firehose';
import type { Clock, TimerHandle } from '../clock';
import {
  AwsServiceError,
  type JsonProtocolService,
  type OperationsOf,
  validationError,
} from '../edge/contracts';
import type { S3Store } from '../s3/store';
import { readJsonLines } from '../shared/persistence';
import type { LocalAccount } from '../shared/ports';
import { constraint, validationMessage } from '../shared/validation';
import { formatUtc } from './prefix';
import { defineStream, type StreamDefinition } from './stream';

const MAX_RECORD_BYTES = 1_024_000;
const MAX_BATCH_RECORDS = 500;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** The error-output-type of records that dynamic partitioning could not place. */
const PARTITIONING_FAILED = 'processing-failed';

interface BufferedRecord {
  /** Arrival, epoch ms. */
  readonly at: number;
  readonly data: Buffer;
  /** Why the record goes to the error prefix, when it does. */
  readonly error?: string;
}

interface PartitionBuffer {
  readonly partitionKeys?: Readonly<Record<string, string>>;
  readonly failed: boolean;
  readonly records: BufferedRecord[];
  bytes: number;
  timer?: TimerHandle;
}

interface StreamState {
  definition: StreamDefinition;
  readonly journal: string;
  readonly buffers: Map<string, PartitionBuffer>;
}

interface JournalLine {
  readonly at: number;
  /** base64 */
  readonly data: string;
}

export interface FirehoseServiceOptions {
  readonly clock: Clock;
  readonly stateDir: string;
  readonly account: LocalAccount;
  readonly s3: S3Store;
  readonly log?: (line: string) => void;
}

export class FirehoseService {
  readonly edgeService: JsonProtocolService;
  private readonly streams = new Map<string, StreamState>();
  private readonly clock: Clock;
  private readonly s3: S3Store;
  private readonly journalDirectory: string;
  private readonly log: (line: string) => void;
  private stopped = false;

  constructor(private readonly options: FirehoseServiceOptions) {
    this.clock = options.clock;
    this.s3 = options.s3;
    this.journalDirectory = join(options.stateDir, 'firehose');
    this.log = options.log ?? ((line) => console.error(line));
    const operations: OperationsOf<Firehose> = {
      PutRecord: (input: PutRecordInput) => {
        const state = this.requireStream(input.DeliveryStreamName);
        const [recordId] = this.accept(state, [decodeRecord(input.Record?.Data)]);
        return { RecordId: recordId, Encrypted: encrypted(state) };
      },
      PutRecordBatch: (input: PutRecordBatchInput) => {
        const state = this.requireStream(input.DeliveryStreamName);
        const records = (input.Records ?? []).map((record) => decodeRecord(record.Data));
        if (records.length === 0 || records.length > MAX_BATCH_RECORDS) {
          throw validationError(
            validationMessage([
              { member: 'records', constraint: constraint.lengthBetween(1, MAX_BATCH_RECORDS) },
            ]),
          );
        }
        if (records.reduce((total, data) => total + data.byteLength, 0) > MAX_BATCH_BYTES) {
          throw new AwsServiceError(
            'InvalidArgumentException',
            'The records of a PutRecordBatch request must total at most 4 MiB.',
          );
        }
        const ids = this.accept(state, records);
        return {
          FailedPutCount: 0,
          Encrypted: encrypted(state),
          RequestResponses: ids.map((RecordId) => ({ RecordId })),
        };
      },
      DescribeDeliveryStream: (input: DescribeDeliveryStreamInput) => {
        const { definition } = this.requireStream(input.DeliveryStreamName);
        return {
          DeliveryStreamDescription: {
            DeliveryStreamName: definition.name,
            DeliveryStreamARN: definition.arn,
            DeliveryStreamStatus: 'ACTIVE',
            DeliveryStreamType: 'DirectPut',
            DeliveryStreamEncryptionConfiguration: definition.encryption,
            VersionId: '1',
            CreateTimestamp: definition.createdAt / 1000,
            Destinations: [
              {
                DestinationId: 'destinationId-000000000001',
                ExtendedS3DestinationDescription: definition.destination,
              },
            ],
            HasMoreDestinations: false,
          },
        };
      },
      ListDeliveryStreams: (input: ListDeliveryStreamsInput) => {
        const limit = input.Limit ?? 10;
        const start = input.ExclusiveStartDeliveryStreamName;
        const names =
          input.DeliveryStreamType && input.DeliveryStreamType !== 'DirectPut'
            ? []
            : [...this.streams.keys()].sort();
        const after = start === undefined ? names : names.filter((name) => name > start);
        return { DeliveryStreamNames: after.slice(0, limit), HasMoreDeliveryStreams: after.length > limit };
      },
    };
    this.edgeService = {
      protocol: 'awsJson1_1',
      signingName: 'firehose',
      targetPrefix: 'Firehose_20150804',
      operations,
    };
  }

  /**
   * Creates the stream from its template properties, or brings an existing one in line with them. The first
   * definition of a stream in this process replays its journal: records acknowledged before a restart.
   */
  define(name: string, arn: string, properties: Record<string, unknown>): void {
    const existing = this.streams.get(name);
    const definition = defineStream(
      name,
      arn,
      properties,
      existing?.definition.createdAt ?? this.clock.now(),
    );
    if (existing) {
      existing.definition = definition;
      return;
    }
    const state: StreamState = {
      definition,
      journal: join(this.journalDirectory, `${name}.jsonl`),
      buffers: new Map(),
    };
    this.streams.set(name, state);
    // Buffers fill up before any is delivered: a delivery rewrites the journal being replayed.
    for (const line of readJsonLines<JournalLine>(state.journal))
      this.buffer(state, line.at, Buffer.from(line.data, 'base64'));
    this.deliverFull(state);
  }

  /** PutRecord for a target (EventBridge, Scheduler) that names the stream by ARN. */
  putRecordByArn(arn: string, data: string): void {
    const state = [...this.streams.values()].find((candidate) => candidate.definition.arn === arn);
    if (!state) throw notFound(arn.split('/').pop() ?? arn, this.options.account.accountId);
    this.accept(state, [Buffer.from(data, 'utf8')]);
  }

  /** Delivers every buffer now (a graceful stop). */
  flushAll(): void {
    for (const state of this.streams.values()) {
      for (const [key, buffer] of [...state.buffers]) this.deliver(state, key, buffer);
    }
  }

  stop(): void {
    this.flushAll();
    this.stopped = true;
    for (const state of this.streams.values()) {
      for (const buffer of state.buffers.values()) this.clock.cancel(buffer.timer);
    }
  }

  private requireStream(name: string | undefined): StreamState {
    const state = name === undefined ? undefined : this.streams.get(name);
    if (!state) throw notFound(name ?? '', this.options.account.accountId);
    return state;
  }

  /** Journals the records (one write), then buffers them; answers their record ids. */
  private accept(state: StreamState, records: readonly Buffer[]): string[] {
    const at = this.clock.now();
    const lines = records
      .map((data) => `${JSON.stringify({ at, data: data.toString('base64') } satisfies JournalLine)}\n`)
      .join('');
    try {
      appendFileSync(state.journal, lines);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      mkdirSync(dirname(state.journal), { recursive: true });
      appendFileSync(state.journal, lines);
    }
    // Every journaled record is buffered before any buffer is delivered: a delivery rewrites the journal.
    for (const data of records) this.buffer(state, at, data);
    this.deliverFull(state);
    return records.map(() => randomBytes(48).toString('base64url'));
  }

  /** A buffer that reached BufferingHints.SizeInMBs is delivered without waiting for its interval. */
  private deliverFull(state: StreamState): void {
    for (const [key, buffer] of [...state.buffers]) {
      if (buffer.bytes >= state.definition.bufferSizeBytes) this.deliver(state, key, buffer);
    }
  }

  private buffer(state: StreamState, at: number, data: Buffer): void {
    const { definition } = state;
    let partitionKeys: Record<string, string> | undefined;
    let error: string | undefined;
    if (definition.partitionQuery) {
      try {
        partitionKeys = definition.partitionQuery(JSON.parse(data.toString('utf8')));
      } catch (failure) {
        error =
          failure instanceof SyntaxError
            ? `Non JSON record provided: ${failure.message}`
            : (failure as Error).message;
      }
    }
    const key = error === undefined ? JSON.stringify(partitionKeys ?? {}) : `!${PARTITIONING_FAILED}`;
    let buffer = state.buffers.get(key);
    if (!buffer) {
      buffer = {
        ...(partitionKeys ? { partitionKeys } : {}),
        failed: error !== undefined,
        records: [],
        bytes: 0,
      };
      state.buffers.set(key, buffer);
      const created = buffer;
      created.timer = this.clock.at(at + definition.bufferIntervalMs, () =>
        this.deliver(state, key, created),
      );
    }
    buffer.records.push({ at, data, ...(error === undefined ? {} : { error }) });
    buffer.bytes += data.byteLength;
  }

  private deliver(state: StreamState, key: string, buffer: PartitionBuffer): void {
    if (this.stopped || state.buffers.get(key) !== buffer || buffer.records.length === 0) return;
    this.clock.cancel(buffer.timer);
    const { definition } = state;
    const oldest = Math.min(...buffer.records.map((record) => record.at));
    try {
      const prefix = (buffer.failed ? definition.errorPrefix : definition.prefix).template({
        arrivedAt: oldest,
        ...(buffer.partitionKeys ? { partitionKeys: buffer.partitionKeys } : {}),
        ...(buffer.failed ? { errorOutputType: PARTITIONING_FAILED } : {}),
      });
      const content = Buffer.concat(buffer.records.map((record) => this.output(definition, record)));
      const name = `${definition.name}-1-${formatUtc(oldest, 'yyyy-MM-dd-HH-mm-ss')}-${randomUUID()}`;
      this.s3.putObject(
        definition.bucket,
        `${prefix}${name}${definition.gzip ? '.gz' : ''}`,
        definition.gzip ? gzipSync(content) : content,
      );
    } catch (error) {
      // As Firehose: an object it cannot write is retried, the records stay buffered (and journaled).
      this.log(
        `firehose: ${definition.name} could not deliver to s3://${definition.bucket}: ${(error as Error).message}`,
      );
      buffer.timer = this.clock.after(definition.bufferIntervalMs, () => this.deliver(state, key, buffer));
      return;
    }
    state.buffers.delete(key);
    this.rewriteJournal(state);
  }

  private output(definition: StreamDefinition, record: BufferedRecord): Buffer {
    if (record.error === undefined)
      return definition.appendDelimiter ? Buffer.concat([record.data, NEWLINE]) : record.data;
    const document = {
      attemptsMade: 1,
      arrivalTimestamp: record.at,
      errorCode: 'DynamicPartitioning.MetadataExtractionFailed',
      errorMessage: record.error,
      attemptEndingTimestamp: this.clock.now(),
      rawData: record.data.toString('base64'),
    };
    return Buffer.from(`${JSON.stringify(document)}\n`);
  }

  /** The journal keeps exactly the records still buffered: written beside, then renamed over. */
  private rewriteJournal(state: StreamState): void {
    const lines = [...state.buffers.values()]
      .flatMap((buffer) => buffer.records)
      .map(
        (record) =>
          `${JSON.stringify({ at: record.at, data: record.data.toString('base64') } satisfies JournalLine)}\n`,
      )
      .join('');
    const temporary = `${state.journal}.${process.pid}.tmp`;
    mkdirSync(dirname(state.journal), { recursive: true });
    writeFileSync(temporary, lines);
    renameSync(temporary, state.journal);
  }
}

const NEWLINE = Buffer.from('\n');

const encrypted = (state: StreamState): boolean => state.definition.encryption.Status === 'ENABLED';

/** A record's Data as the wire carries it: base64 text (the SDK types the decoded bytes). */
function decodeRecord(data: unknown): Buffer {
  if (typeof data !== 'string') {
    throw validationError(
      validationMessage([{ value: null, member: 'record.data', constraint: constraint.notNull }]),
    );
  }
  const bytes = Buffer.from(data, 'base64');
  if (bytes.byteLength > MAX_RECORD_BYTES) {
    throw validationError(
      validationMessage([{ member: 'record.data', constraint: constraint.maxLength(MAX_RECORD_BYTES) }]),
    );
  }
  return bytes;
}

const notFound = (name: string, accountId: string): AwsServiceError =>
  new AwsServiceError('ResourceNotFoundException', `Firehose ${name} under account ${accountId} not found.`);
