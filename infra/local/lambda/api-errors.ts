/**
 * Errors of the Lambda API, as AWS returns them (restJson1 body `{"Type": "User", "message": ...}` plus the
 * x-amzn-ErrorType header), so that SDK clients raise the modelled exception classes.
 */
import { AwsServiceError } from '../edge/contracts';

const userError = (code: string, message: string, status: number, extra: Record<string, unknown> = {}) =>
  new AwsServiceError(code, message, status, { Type: 'User', ...extra });

export const functionNotFound = (functionArn: string): AwsServiceError =>
  userError('ResourceNotFoundException', `Function not found: ${functionArn}`, 404);

export const eventInvokeConfigNotFound = (qualifiedFunctionArn: string): AwsServiceError =>
  userError(
    'ResourceNotFoundException',
    `The function ${qualifiedFunctionArn} doesn't have an EventInvokeConfig`,
    404,
  );

export const reservedConcurrencyThrottled = (): AwsServiceError =>
  userError('TooManyRequestsException', 'Rate Exceeded.', 429, {
    Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
  });

export const invalidRequestContent = (detail: string): AwsServiceError =>
  userError('InvalidRequestContentException', detail, 400);

export const payloadTooLarge = (size: number, invocationType: string, limit: number): AwsServiceError =>
  userError(
    'RequestEntityTooLargeException',
    `${size} byte payload is too large for the ${invocationType} invocation type (limit ${limit} bytes)`,
    413,
  );

export const invalidParameterValue = (message: string): AwsServiceError =>
  userError('InvalidParameterValueException', message, 400);
