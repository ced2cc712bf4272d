/**
 * SQS for older clients (SDK v2, older boto3/CLI) that speak the query protocol: form parameters such as
 * `Attribute.1.Name` are decoded into the JSON operation input, and results are written in SQS's XML, whose
 * lists are flattened (`<Message>..</Message><Message>..`). The operations themselves are the JSON ones.
 */

import {
  AwsServiceError,
  type JsonProtocolService,
  type QueryOperation,
  type QueryParameters,
  type QueryProtocolService,
} from '../edge/contracts';
import { FlattenedList } from '../edge/protocols';
import { decodeQueryInput, type QueryDecoding } from '../edge/query-input';

/** SQS flattens its lists and maps, and names them apart from the JSON members they become. */
const SQS_DECODING: QueryDecoding = {
  flattened: {
    AttributeName: { list: 'AttributeNames' },
    MessageAttributeName: { list: 'MessageAttributeNames' },
    MessageSystemAttributeName: { list: 'MessageSystemAttributeNames' },
    TagKey: { list: 'TagKeys' },
    SendMessageBatchRequestEntry: { list: 'Entries' },
    DeleteMessageBatchRequestEntry: { list: 'Entries' },
    ChangeMessageVisibilityBatchRequestEntry: { list: 'Entries' },
    Attribute: { map: 'Attributes', key: 'Name', value: 'Value' },
    MessageAttribute: { map: 'MessageAttributes', key: 'Name', value: 'Value' },
    MessageSystemAttribute: { map: 'MessageSystemAttributes', key: 'Name', value: 'Value' },
    Tag: { map: 'Tags', key: 'Key', value: 'Value' },
  },
  numeric: new Set([
    'DelaySeconds',
    'MaxNumberOfMessages',
    'VisibilityTimeout',
    'WaitTimeSeconds',
    'MaxResults',
  ]),
};

export function sqsQueryService(
  json: JsonProtocolService,
  queryErrorCodes: Readonly<Record<string, string>>,
) {
  const operations: Record<string, QueryOperation> = {};
  for (const [action, operation] of Object.entries(json.operations)) {
    if (!operation) continue;
    operations[action] = async (parameters, context) => {
      try {
        return toQueryResult(action, await operation(decodeParameters(parameters), context));
      } catch (error) {
        if (!(error instanceof AwsServiceError)) throw error;
        throw new AwsServiceError(queryErrorCodes[error.code] ?? error.code, error.message, error.statusCode);
      }
    };
  }
  const service: QueryProtocolService = {
    protocol: 'query',
    signingName: json.signingName,
    xmlNamespace: 'http://queue.amazonaws.com/doc/2012-11-05/',
    operations,
  };
  return service;
}

/** `Attribute.1.Name=x` → `{ Attributes: { x: ... } }`, `SendMessageBatchRequestEntry.1.Id` → `{ Entries: [...] }`. */
export function decodeParameters(parameters: QueryParameters): Record<string, unknown> {
  const input = decodeQueryInput(parameters, SQS_DECODING);
  // CreateQueue names its tags `tags`, TagQueue `Tags`.
  if (input.Tags !== undefined) input.tags = input.Tags;
  return input;
}

/** The JSON result reshaped into the members SQS's XML uses. */
function toQueryResult(action: string, result: unknown): unknown {
  if (typeof result !== 'object' || result === null) return result;
  const output: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(result)) {
    if (value === undefined) continue;
    switch (key) {
      case 'Attributes':
        output.Attribute = pairs(value, 'Name', 'Value');
        break;
      case 'MessageAttributes':
        output.MessageAttribute = pairs(value, 'Name', 'Value');
        break;
      case 'Tags':
        output.Tag = pairs(value, 'Key', 'Value');
        break;
      case 'Messages':
        output.Message = new FlattenedList(asArray(value).map((message) => toQueryResult(action, message)));
        break;
      case 'QueueUrls':
        output.QueueUrl = new FlattenedList(asArray(value));
        break;
      case 'Successful':
        output[`${action}ResultEntry`] = new FlattenedList(asArray(value));
        break;
      case 'Failed':
        output.BatchResultErrorEntry = new FlattenedList(asArray(value));
        break;
      default:
        output[key] = value;
    }
  }
  return output;
}

function pairs(map: unknown, keyName: string, valueName: string): FlattenedList {
  const entries = typeof map === 'object' && map !== null ? Object.entries(map) : [];
  return new FlattenedList(entries.map(([key, value]) => ({ [keyName]: key, [valueName]: value })));
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
