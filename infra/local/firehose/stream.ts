/**
 * A delivery stream as the template defines it (`AWS::KinesisFirehose::DeliveryStream`), checked at deploy:
 * DirectPut into S3 (ExtendedS3DestinationConfiguration or S3DestinationConfiguration), UNCOMPRESSED or GZIP,
 * dynamic partitioning by a MetadataExtraction JQ query, AppendDelimiterToRecord. Everything else the local
 * cloud would silently do differently (Lambda processors, format conversion, backups, other destinations) is
 * refused with NotEmulatedLocally.
 */
import { NotEmulatedLocally } from '../deployer/deploy';
import { compilePartitionQuery, type PartitionQuery } from './jq-subset';
import { type CompiledPrefix, compilePrefix } from './prefix';

type Properties = Record<string, unknown>;

export interface StreamDefinition {
  readonly name: string;
  readonly arn: string;
  readonly createdAt: number;
  readonly bucket: string;
  readonly prefix: CompiledPrefix;
  readonly errorPrefix: CompiledPrefix;
  readonly gzip: boolean;
  readonly bufferIntervalMs: number;
  readonly bufferSizeBytes: number;
  /** Set when dynamic partitioning is on. */
  readonly partitionQuery?: PartitionQuery;
  readonly appendDelimiter: boolean;
  /** Server-side encryption as DescribeDeliveryStream reports it (records are stored in the clear locally). */
  readonly encryption: Readonly<Record<string, unknown>>;
  /** The destination as DescribeDeliveryStream reports it. */
  readonly destination: Readonly<Record<string, unknown>>;
}

/** Firehose's defaults for an S3 destination. */
const DEFAULT_INTERVAL_SECONDS = 300;
const DEFAULT_SIZE_MB = 5;
const DEFAULT_PREFIX = '!{timestamp:yyyy/MM/dd/HH/}';
const DEFAULT_ERROR_PREFIX = '!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH/}';
const OTHER_DESTINATIONS = [
  'RedshiftDestinationConfiguration',
  'ElasticsearchDestinationConfiguration',
  'AmazonopensearchserviceDestinationConfiguration',
  'AmazonOpenSearchServerlessDestinationConfiguration',
  'SplunkDestinationConfiguration',
  'HttpEndpointDestinationConfiguration',
  'SnowflakeDestinationConfiguration',
  'IcebergDestinationConfiguration',
];

export function defineStream(
  name: string,
  arn: string,
  properties: Properties,
  createdAt: number,
): StreamDefinition {
  const destination = s3DestinationOf(properties);
  const compression = checkedCompression(destination);
  const { processors, query, appendDelimiter } = processorsOf(destination);
  const partitioned = enabled(destination.DynamicPartitioningConfiguration);
  const prefixes = prefixesOf(destination, partitioned, query);
  const { intervalSeconds, sizeMb } = bufferingOf(destination);
  const bucketArn = String(destination.BucketARN ?? '');
  const bucket = /^arn:[^:]+:s3:::([^/]+)$/.exec(bucketArn)?.[1];
  if (!bucket) throw new Error(`BucketARN ${bucketArn} is not an S3 bucket ARN`);
  return {
    name,
    arn,
    createdAt,
    bucket,
    prefix: prefixes.prefix,
    errorPrefix: compilePrefix(prefixes.errorText === '' ? DEFAULT_ERROR_PREFIX : prefixes.errorText),
    gzip: compression === 'GZIP',
    bufferIntervalMs: intervalSeconds * 1000,
    bufferSizeBytes: sizeMb * 1024 * 1024,
    ...(prefixes.partitionQuery ? { partitionQuery: prefixes.partitionQuery } : {}),
    appendDelimiter,
    encryption: encryptionOf(properties.DeliveryStreamEncryptionConfigurationInput),
    destination: {
      RoleARN: String(destination.RoleARN ?? ''),
      BucketARN: bucketArn,
      ...(prefixes.prefixText === undefined ? {} : { Prefix: prefixes.prefixText }),
      ...(prefixes.errorText === '' ? {} : { ErrorOutputPrefix: prefixes.errorText }),
      BufferingHints: { IntervalInSeconds: intervalSeconds, SizeInMBs: sizeMb },
      CompressionFormat: compression,
      EncryptionConfiguration: destination.EncryptionConfiguration ?? { NoEncryptionConfig: 'NoEncryption' },
      ...(processors.length > 0 ? { ProcessingConfiguration: destination.ProcessingConfiguration } : {}),
      ...(partitioned
        ? { DynamicPartitioningConfiguration: destination.DynamicPartitioningConfiguration }
        : {}),
      S3BackupMode: 'Disabled',
    },
  };
}

/** The S3 destination of a DirectPut stream; any other kind of stream or destination is refused. */
function s3DestinationOf(properties: Properties): Properties {
  const type = properties.DeliveryStreamType ?? 'DirectPut';
  if (type !== 'DirectPut')
    throw new NotEmulatedLocally(
      `${String(type)} delivery streams are not emulated locally (DirectPut only)`,
    );
  const other = OTHER_DESTINATIONS.find((destination) => properties[destination] !== undefined);
  if (other)
    throw new NotEmulatedLocally(
      `${other.replace('DestinationConfiguration', '')} destinations are not emulated locally (S3 only)`,
    );
  const destination = (properties.ExtendedS3DestinationConfiguration ??
    properties.S3DestinationConfiguration) as Properties | undefined;
  if (!destination)
    throw new NotEmulatedLocally('a delivery stream without an S3 destination is not emulated locally');
  return destination;
}

/** The compression format, after refusing the destination settings that would change the stored bytes. */
function checkedCompression(destination: Properties): 'UNCOMPRESSED' | 'GZIP' {
  const compression = String(destination.CompressionFormat ?? 'UNCOMPRESSED');
  if (compression !== 'UNCOMPRESSED' && compression !== 'GZIP')
    throw new NotEmulatedLocally(
      `CompressionFormat ${compression} is not emulated locally (UNCOMPRESSED, GZIP)`,
    );
  if (enabled(destination.DataFormatConversionConfiguration))
    throw new NotEmulatedLocally('record format conversion is not emulated locally');
  if (destination.S3BackupMode === 'Enabled')
    throw new NotEmulatedLocally('S3 backup is not emulated locally');
  return compression;
}

/** The enabled processors: a MetadataExtraction query and AppendDelimiterToRecord, nothing else. */
function processorsOf(destination: Properties): {
  processors: Properties[];
  query: string | undefined;
  appendDelimiter: boolean;
} {
  const processors = enabled(destination.ProcessingConfiguration)
    ? (((destination.ProcessingConfiguration as Properties).Processors ?? []) as Properties[])
    : [];
  let query: string | undefined;
  let appendDelimiter = false;
  for (const processor of processors) {
    switch (processor.Type) {
      case 'MetadataExtraction':
        query = metadataExtractionQuery(processor);
        break;
      case 'AppendDelimiterToRecord':
        appendDelimiter = true;
        break;
      default:
        throw new NotEmulatedLocally(
          `Firehose ${String(processor.Type)} processors are not emulated locally`,
        );
    }
  }
  return { processors, query, appendDelimiter };
}

/** The object key prefixes, and the partitioning query that fills their partition keys. */
function prefixesOf(destination: Properties, partitioned: boolean, query: string | undefined) {
  const prefixText =
    typeof destination.Prefix === 'string' && destination.Prefix !== '' ? destination.Prefix : undefined;
  const errorText = typeof destination.ErrorOutputPrefix === 'string' ? destination.ErrorOutputPrefix : '';
  // As Firehose: a custom prefix without a timestamp expression gets the default time folders appended,
  // except under dynamic partitioning, where the prefix is taken as written.
  const takenAsWritten = prefixText !== undefined && (partitioned || prefixText.includes('!{timestamp:'));
  const prefix = compilePrefix(
    prefixText === undefined
      ? DEFAULT_PREFIX
      : takenAsWritten
        ? prefixText
        : `${prefixText}${DEFAULT_PREFIX}`,
  );
  if (partitioned && errorText === '') throw new Error('dynamic partitioning requires an ErrorOutputPrefix');
  if (prefix.partitionKeys.length > 0 && !(partitioned && query)) {
    throw new Error(
      'Prefix uses !{partitionKeyFromQuery:…} without dynamic partitioning and a MetadataExtraction processor',
    );
  }
  if (partitioned && !query)
    throw new NotEmulatedLocally(
      'dynamic partitioning by Lambda (partitionKeyFromLambda) is not emulated locally',
    );
  return {
    prefixText,
    errorText,
    prefix,
    partitionQuery: partitioned && query ? compilePartitionQuery(query) : undefined,
  };
}

function bufferingOf(destination: Properties): { intervalSeconds: number; sizeMb: number } {
  const hints = (destination.BufferingHints ?? {}) as Properties;
  return {
    intervalSeconds: Number(hints.IntervalInSeconds ?? DEFAULT_INTERVAL_SECONDS),
    sizeMb: Number(hints.SizeInMBs ?? DEFAULT_SIZE_MB),
  };
}

function encryptionOf(input: unknown): Record<string, unknown> {
  const keyType = (input as Properties | undefined)?.KeyType;
  if (keyType === undefined) return { Status: 'DISABLED' };
  const keyArn = (input as Properties).KeyARN;
  return { KeyType: keyType, ...(keyArn === undefined ? {} : { KeyARN: keyArn }), Status: 'ENABLED' };
}

function enabled(configuration: unknown): boolean {
  const flag = (configuration as Properties | undefined)?.Enabled;
  return flag === true || flag === 'true';
}

function metadataExtractionQuery(processor: Properties): string {
  const parameters = (processor.Parameters ?? []) as Array<{
    ParameterName?: unknown;
    ParameterValue?: unknown;
  }>;
  const value = (name: string) =>
    parameters.find((parameter) => parameter.ParameterName === name)?.ParameterValue;
  const engine = value('JsonParsingEngine') ?? 'JQ-1.6';
  if (engine !== 'JQ-1.6')
    throw new NotEmulatedLocally(`JsonParsingEngine ${String(engine)} is not emulated locally (JQ-1.6)`);
  const query = value('MetadataExtractionQuery');
  if (typeof query !== 'string')
    throw new Error('a MetadataExtraction processor needs a MetadataExtractionQuery');
  return query;
}
