/** The errors SQS returns, with the legacy query codes its query-compatible JSON protocol also reports. */
import { AwsServiceError } from '../edge/contracts';

/** JSON error code → the code the query protocol used, where they differ (x-amzn-query-error). */
export const QUERY_ERROR_CODES: Readonly<Record<string, string>> = {
  QueueDoesNotExist: 'AWS.SimpleQueueService.NonExistentQueue',
  QueueNameExists: 'QueueAlreadyExists',
  MessageNotInflight: 'AWS.SimpleQueueService.MessageNotInflight',
  TooManyEntriesInBatchRequest: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  EmptyBatchRequest: 'AWS.SimpleQueueService.EmptyBatchRequest',
  BatchEntryIdsNotDistinct: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
  InvalidBatchEntryId: 'AWS.SimpleQueueService.InvalidBatchEntryId',
  BatchRequestTooLong: 'AWS.SimpleQueueService.BatchRequestTooLong',
  UnsupportedOperation: 'AWS.SimpleQueueService.UnsupportedOperation',
};

export const queueDoesNotExist = (): AwsServiceError =>
  new AwsServiceError('QueueDoesNotExist', 'The specified queue does not exist.');

export const missingParameter = (name: string): AwsServiceError =>
  new AwsServiceError('MissingParameter', `The request must contain the parameter ${name}.`);

export const invalidParameterValue = (message: string): AwsServiceError =>
  new AwsServiceError('InvalidParameterValue', message);

export const invalidAttributeName = (name: string): AwsServiceError =>
  new AwsServiceError('InvalidAttributeName', `Unknown Attribute ${name}.`);

export const invalidAttributeValue = (name: string, value: string): AwsServiceError =>
  new AwsServiceError('InvalidAttributeValue', `Invalid value for the parameter ${name}: ${value}`);

export const receiptHandleIsInvalid = (handle: string): AwsServiceError =>
  new AwsServiceError(
    'ReceiptHandleIsInvalid',
    `The input receipt handle "${handle}" is not a valid receipt handle.`,
    404,
  );

export const messageNotInflight = (): AwsServiceError =>
  new AwsServiceError(
    'MessageNotInflight',
    'Message does not exist or is not available for visibility timeout change.',
  );

/**
 * SQS keeps message bodies to the characters XML 1.0 allows: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD |
 * #x10000-#x10FFFF. With the `u` flag a lone surrogate is one code point in D800-DFFF, so it is refused too.
 */
const OUTSIDE_ALLOWED_CHARACTERS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** The first code point of `body` SQS refuses, or undefined when every character is allowed. */
export function invalidBodyCharacter(body: string): number | undefined {
  const found = OUTSIDE_ALLOWED_CHARACTERS.exec(body);
  return found ? found[0].codePointAt(0) : undefined;
}

export const invalidMessageContents = (codePoint: number): AwsServiceError =>
  new AwsServiceError(
    'InvalidMessageContents',
    `Invalid binary character '#x${codePoint.toString(16).toUpperCase()}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].`,
  );
