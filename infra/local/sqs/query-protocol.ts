/**
 * SQS for older clients (SDK v2, older boto3/CLI) that speak the query protocol: form parameters such as
 * `Attribute.1.Name` are decoded into the JSON operation input, and results are written in SQS's XML, whose
 * lists are flattened (`<Message>..</Message><Message>..`). The operations themselves are the JSON ones.
 */
import { FlattenedList } from '../edge/protocols';
import {
  AwsServiceError,
  type JsonProtocolService,
  type QueryOperation,
  type QueryParameters,
  type QueryProtocolService,
} from '../edge/service';

const NUMERIC_PARAMETERS = new Set([
  'DelaySeconds',
  'MaxNumberOfMessages',
  'VisibilityTimeout',
  'WaitTimeSeconds',
  'MaxResults',
]);

/** Query list/map parameters and the JSON members they become. */
const LIST_PARAMETERS: Readonly<Record<string, string>> = {
  AttributeName: 'AttributeNames',
  MessageAttributeName: 'MessageAttributeNames',
  MessageSystemAttributeName: 'MessageSystemAttributeNames',
  TagKey: 'TagKeys',
};

type Tree = { [key: string]: Tree | string };

export function sqsQueryService(
  json: JsonProtocolService,
  queryErrorCodes: Readonly<Record<string, string>>,
) {
  const operations: Record<string, QueryOperation> = {};
  for (const [action, operation] of Object.entries(json.operations)) {
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
  const tree: Tree = {};
  for (const [key, value] of Object.entries(parameters)) {
    if (key === 'Action' || key === 'Version') continue;
    const path = key.split('.');
    let node = tree;
    path.forEach((part, index) => {
      if (index === path.length - 1) {
        node[part] = value;
        return;
      }
      const existing = node[part];
      const child: Tree = typeof existing === 'object' ? existing : {};
      node[part] = child;
      node = child;
    });
  }
  return decodeTree(tree);
}

function decodeTree(tree: Tree): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(tree)) {
    const listName = LIST_PARAMETERS[key];
    if (listName) input[listName] = listOf(value);
    else if (key === 'Attribute') input.Attributes = mapOf(value, 'Name', 'Value');
    else if (key === 'MessageAttribute') input.MessageAttributes = mapOf(value, 'Name', 'Value');
    else if (key === 'MessageSystemAttribute') input.MessageSystemAttributes = mapOf(value, 'Name', 'Value');
    else if (key === 'Tag') {
      // CreateQueue names its tags `tags`, TagQueue `Tags`.
      input.tags = mapOf(value, 'Key', 'Value');
      input.Tags = input.tags;
    } else if (key.endsWith('RequestEntry')) {
      input.Entries = listOf(value).map((entry) => (typeof entry === 'object' ? decodeTree(entry) : entry));
    } else if (typeof value === 'object') input[key] = decodeTree(value);
    else input[key] = NUMERIC_PARAMETERS.has(key) ? Number(value) : value;
  }
  return input;
}

/** `{ '2': b, '1': a }` → `[a, b]`, by member number. */
function listOf(value: Tree | string): (Tree | string)[] {
  if (typeof value !== 'object') return [value];
  return Object.entries(value)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, item]) => item);
}

function mapOf(value: Tree | string, keyName: string, valueName: string): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  for (const entry of listOf(value)) {
    if (typeof entry !== 'object') continue;
    const key = entry[keyName];
    const item = entry[valueName];
    if (typeof key === 'string' && item !== undefined) map[key] = item;
  }
  return map;
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
