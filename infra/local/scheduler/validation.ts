/**
 * Checks CreateSchedule/UpdateSchedule input as the Scheduler API model constrains it, with AWS's
 * "1 validation error detected" wording for shape constraints, and narrows it to typed values.
 */
import { type AwsServiceError, validationError } from '../edge/contracts';
import { arnService } from '../shared/targets';
import { validationMessage } from '../shared/validation';
import { assertTimeZone, parseScheduleExpression, ScheduleExpressionError } from './expressions';
import type { ScheduleDefinition, ScheduleTarget } from './store';

export const NAME_PATTERN = /^[0-9a-zA-Z-_.]+$/;
const CLIENT_TOKEN_PATTERN = /^[a-zA-Z0-9-_]+$/;
const ROLE_ARN_PATTERN = /^arn:aws(-[a-z]+)?:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const QUEUE_ARN_PATTERN = /^arn:aws(-[a-z]+)?:sqs:[a-z0-9-]+:\d{12}:[a-zA-Z0-9\-_]+$/;

const constraintError = (value: unknown, member: string, constraint: string): AwsServiceError =>
  validationError(validationMessage([{ value: String(value), member, constraint }]));

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function requireName(value: unknown, member: string): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > 64) {
    throw constraintError(value, member, 'Member must have length between 1 and 64');
  }
  if (!NAME_PATTERN.test(value)) {
    throw constraintError(value, member, 'Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$');
  }
  return value;
}

export function optionalString(
  value: unknown,
  member: string,
  maxLength = Number.POSITIVE_INFINITY,
): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw constraintError(value, member, 'Member must be a string');
  if (value.length > maxLength) {
    throw constraintError(value, member, `Member must have length less than or equal to ${maxLength}`);
  }
  return value;
}

export function optionalClientToken(value: unknown): string | undefined {
  const token = optionalString(value, 'clientToken', 64);
  if (token !== undefined && (token.length === 0 || !CLIENT_TOKEN_PATTERN.test(token))) {
    throw constraintError(
      token,
      'clientToken',
      'Member must satisfy regular expression pattern: ^[a-zA-Z0-9-_]+$',
    );
  }
  return token;
}

export function optionalTags(value: unknown): { Key: string; Value: string }[] | undefined {
  if (value === undefined || value === null) return undefined;
  const tags = Array.isArray(value) ? value : [];
  const valid = tags.every(
    (tag) =>
      isRecord(tag) &&
      typeof tag.Key === 'string' &&
      tag.Key.length >= 1 &&
      tag.Key.length <= 128 &&
      typeof tag.Value === 'string' &&
      tag.Value.length >= 1 &&
      tag.Value.length <= 256,
  );
  if (!Array.isArray(value) || !valid || tags.length > 200) {
    throw constraintError(
      JSON.stringify(value),
      'tags',
      'Member must be at most 200 tags, each with a Key and a Value',
    );
  }
  return tags as { Key: string; Value: string }[];
}

function optionalEnum<T extends string>(
  value: unknown,
  member: string,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw constraintError(value, member, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }
  return value as T;
}

function optionalInteger(value: unknown, member: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw constraintError(value, member, 'Member must be an integer');
  if (value < min)
    throw constraintError(value, member, `Member must have value greater than or equal to ${min}`);
  if (value > max)
    throw constraintError(value, member, `Member must have value less than or equal to ${max}`);
  return value;
}

/** restJson1 sends timestamps as epoch seconds; ISO strings are accepted too for hand-written clients. */
function optionalTimestamp(value: unknown, member: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms =
    typeof value === 'number' ? value * 1000 : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw constraintError(value, member, 'Member must be a timestamp');
  return ms;
}

/** The fields of a schedule that a create or update request sets. */
export type ScheduleSettings = Omit<
  ScheduleDefinition,
  'Name' | 'GroupName' | 'Arn' | 'CreationDate' | 'LastModificationDate'
>;

/** StartDate may lie at most this far in the past. */
const START_DATE_TOLERANCE_MS = 5 * 60_000;

/** `keptStartDate`: an update may keep a StartDate that has since passed. */
export function validateScheduleInput(
  body: Record<string, unknown>,
  now: number,
  keptStartDate?: number,
): ScheduleSettings {
  const expressionText = body.ScheduleExpression;
  if (typeof expressionText !== 'string' || expressionText.length < 1 || expressionText.length > 256) {
    throw constraintError(expressionText, 'scheduleExpression', 'Member must have length between 1 and 256');
  }
  try {
    parseScheduleExpression(expressionText);
  } catch (error) {
    if (error instanceof ScheduleExpressionError) throw validationError(error.message);
    throw error;
  }
  const timeZone = optionalString(body.ScheduleExpressionTimezone, 'scheduleExpressionTimezone', 50);
  if (timeZone !== undefined) {
    try {
      assertTimeZone(timeZone);
    } catch (error) {
      throw validationError((error as Error).message);
    }
  }
  const startDate = optionalTimestamp(body.StartDate, 'startDate');
  const endDate = optionalTimestamp(body.EndDate, 'endDate');
  if (startDate !== undefined && startDate !== keptStartDate && startDate < now - START_DATE_TOLERANCE_MS) {
    throw validationError('The StartDate you specify cannot be earlier than 5 minutes ago.');
  }
  if (endDate !== undefined && endDate <= now)
    throw validationError('The EndDate you specify cannot be in the past.');
  if (startDate !== undefined && endDate !== undefined && endDate <= startDate) {
    throw validationError('The EndDate must be later than the StartDate.');
  }
  const settings: ScheduleSettings = {
    ScheduleExpression: expressionText,
    // AWS fills the defaults in, and GetSchedule returns them.
    ScheduleExpressionTimezone: timeZone ?? 'UTC',
    ...(startDate !== undefined && { StartDate: startDate }),
    ...(endDate !== undefined && { EndDate: endDate }),
    ...optionalField('Description', optionalString(body.Description, 'description', 512)),
    ...optionalField('KmsKeyArn', optionalString(body.KmsKeyArn, 'kmsKeyArn', 2048)),
    ...optionalField('ClientToken', optionalClientToken(body.ClientToken)),
    State: optionalEnum(body.State, 'state', ['ENABLED', 'DISABLED'] as const) ?? 'ENABLED',
    ActionAfterCompletion:
      optionalEnum(body.ActionAfterCompletion, 'actionAfterCompletion', ['NONE', 'DELETE'] as const) ??
      'NONE',
    FlexibleTimeWindow: validateWindow(body.FlexibleTimeWindow),
    Target: validateTarget(body.Target),
  };
  return settings;
}

const optionalField = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

function validateWindow(value: unknown): ScheduleSettings['FlexibleTimeWindow'] {
  if (!isRecord(value)) throw validationError('FlexibleTimeWindow is required.');
  const mode = optionalEnum(value.Mode, 'flexibleTimeWindow.mode', ['OFF', 'FLEXIBLE'] as const);
  if (mode === undefined)
    throw constraintError(value.Mode, 'flexibleTimeWindow.mode', 'Member must not be null');
  const minutes = optionalInteger(
    value.MaximumWindowInMinutes,
    'flexibleTimeWindow.maximumWindowInMinutes',
    1,
    1440,
  );
  if (mode === 'FLEXIBLE' && minutes === undefined) {
    throw validationError('MaximumWindowInMinutes is required when FlexibleTimeWindow Mode is FLEXIBLE.');
  }
  if (mode === 'OFF' && minutes !== undefined) {
    throw validationError('MaximumWindowInMinutes must not be set when FlexibleTimeWindow Mode is OFF.');
  }
  return minutes === undefined ? { Mode: mode } : { Mode: mode, MaximumWindowInMinutes: minutes };
}

/** Targets whose Input Scheduler requires to be JSON (the event detail, the payload, the execution input). */
const JSON_INPUT_SERVICES = new Set(['lambda', 'states', 'events']);

function validateTarget(value: unknown): ScheduleTarget {
  if (!isRecord(value)) throw validationError('Target is required.');
  const arn = requireTargetArn(value.Arn);
  requireRoleArn(value.RoleArn);
  validateTargetInput(value, arn);
  if (isRecord(value.EventBridgeParameters)) validateEventBridgeParameters(value.EventBridgeParameters);
  validateRetryPolicy(value.RetryPolicy);
  validateDeadLetterConfig(value.DeadLetterConfig);
  const target = value as ScheduleTarget;
  return { ...target, RetryPolicy: retryPolicyWithDefaults(target) };
}

function requireTargetArn(arn: unknown): string {
  if (typeof arn !== 'string' || arn.length < 1 || arn.length > 1600) {
    throw constraintError(arn, 'target.arn', 'Member must have length between 1 and 1600');
  }
  return arn;
}

function requireRoleArn(roleArn: unknown): void {
  if (typeof roleArn !== 'string' || !ROLE_ARN_PATTERN.test(roleArn)) {
    throw constraintError(
      roleArn,
      'target.roleArn',
      `Member must satisfy regular expression pattern: ${ROLE_ARN_PATTERN.source}`,
    );
  }
}

/** What the target's service requires of Input and EventBridgeParameters. */
function validateTargetInput(target: Record<string, unknown>, arn: string): void {
  const input = optionalString(target.Input, 'target.input');
  const service = arnService(arn);
  if (input !== undefined && JSON_INPUT_SERVICES.has(service ?? '') && !isJson(input)) {
    throw validationError(`Target Input must be well-formed JSON for a ${service} target.`);
  }
  if (service === 'events' && !isRecord(target.EventBridgeParameters)) {
    throw validationError(
      'EventBridgeParameters with DetailType and Source are required for an event bus target.',
    );
  }
}

function validateEventBridgeParameters({ DetailType, Source }: Record<string, unknown>): void {
  if (typeof DetailType !== 'string' || DetailType.length < 1 || DetailType.length > 128) {
    throw constraintError(
      DetailType,
      'target.eventBridgeParameters.detailType',
      'Member must have length between 1 and 128',
    );
  }
  if (typeof Source !== 'string' || Source.length < 1 || Source.length > 256 || Source.startsWith('aws.')) {
    throw constraintError(
      Source,
      'target.eventBridgeParameters.source',
      'Member must be 1-256 characters and not start with aws.',
    );
  }
}

function validateRetryPolicy(retry: unknown): void {
  if (retry === undefined || retry === null) return;
  if (!isRecord(retry)) throw validationError('RetryPolicy must be an object.');
  optionalInteger(retry.MaximumRetryAttempts, 'target.retryPolicy.maximumRetryAttempts', 0, 185);
  optionalInteger(retry.MaximumEventAgeInSeconds, 'target.retryPolicy.maximumEventAgeInSeconds', 60, 86400);
}

function validateDeadLetterConfig(deadLetter: unknown): void {
  if (!isRecord(deadLetter) || deadLetter.Arn === undefined) return;
  if (typeof deadLetter.Arn !== 'string' || !QUEUE_ARN_PATTERN.test(deadLetter.Arn)) {
    throw constraintError(
      deadLetter.Arn,
      'target.deadLetterConfig.arn',
      `Member must satisfy regular expression pattern: ${QUEUE_ARN_PATTERN.source}`,
    );
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

type RetryPolicy = Required<NonNullable<ScheduleTarget['RetryPolicy']>>;

/** Shared by every schedule that keeps the defaults, so 100,000 schedules do not hold 100,000 copies. */
const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  MaximumEventAgeInSeconds: 86_400,
  MaximumRetryAttempts: 185,
});

function retryPolicyWithDefaults(target: ScheduleTarget): RetryPolicy {
  const given = target.RetryPolicy;
  if (given?.MaximumEventAgeInSeconds === undefined && given?.MaximumRetryAttempts === undefined) {
    return DEFAULT_RETRY_POLICY;
  }
  return {
    MaximumEventAgeInSeconds: given.MaximumEventAgeInSeconds ?? DEFAULT_RETRY_POLICY.MaximumEventAgeInSeconds,
    MaximumRetryAttempts: given.MaximumRetryAttempts ?? DEFAULT_RETRY_POLICY.MaximumRetryAttempts,
  };
}

export function retryPolicyOf(target: ScheduleTarget): {
  maximumRetryAttempts: number;
  maximumEventAgeMs: number;
} {
  const policy = retryPolicyWithDefaults(target);
  return {
    maximumRetryAttempts: policy.MaximumRetryAttempts,
    maximumEventAgeMs: policy.MaximumEventAgeInSeconds * 1000,
  };
}
