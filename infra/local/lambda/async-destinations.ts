/**
 * What an asynchronous invocation does after an attempt, as a function's event invoke configuration
 * (PutFunctionEventInvokeConfig, AWS::Lambda::EventInvokeConfig) says: retry it, or finish it and send the
 * invocation record to the OnSuccess or OnFailure destination. The record is AWS's; it reaches the
 * destination through the shared target senders (shared/targets.ts), as EventBridge and Scheduler targets do.
 */
import type { TargetDelivery } from '../shared/targets';
import { invalidParameterValue } from './api-errors';
import { FUNCTION_VERSION } from './environment';

/** A function's asynchronous invocation settings; unset members keep Lambda's defaults. */
export interface EventInvokeConfig {
  /** 0 to 2; default 2. */
  readonly maximumRetryAttempts?: number;
  /** 60 to 21600; default 21600 (six hours). */
  readonly maximumEventAgeInSeconds?: number;
  /** ARNs of an SQS queue, SNS topic, Lambda function or EventBridge bus. */
  readonly onSuccess?: string;
  readonly onFailure?: string;
}

/** An invocation record waiting for its destination to accept it (journalled with the invocation). */
export interface PendingDestination {
  readonly targetArn: string;
  /** The record, as the destination receives it (JSON). */
  readonly record: string;
  readonly succeeded: boolean;
  /** Sends made so far that failed, for the back-off of the next one. */
  readonly failedSends: number;
}

export type FinishCondition = 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';

/** One finished attempt of an `Event` invocation, as the record describes it. */
export interface FinishedAttempt {
  readonly requestId: string;
  readonly functionArn: string;
  readonly requestPayload: string;
  readonly responsePayload: string;
  readonly functionError?: 'Unhandled';
  /** Attempts made, the last included. */
  readonly invokeCount: number;
}

const DEFAULT_RETRY_ATTEMPTS = 2;
const DEFAULT_EVENT_AGE_SECONDS = 21_600;

/** Checks the limits PutFunctionEventInvokeConfig enforces. */
export function checkedEventInvokeConfig(config: EventInvokeConfig): EventInvokeConfig {
  const { maximumRetryAttempts: retries, maximumEventAgeInSeconds: age } = config;
  if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0 && retries <= 2)) {
    throw invalidParameterValue('MaximumRetryAttempts must be an integer between 0 and 2.');
  }
  if (age !== undefined && !(Number.isInteger(age) && age >= 60 && age <= DEFAULT_EVENT_AGE_SECONDS)) {
    throw invalidParameterValue('MaximumEventAgeInSeconds must be an integer between 60 and 21600.');
  }
  return config;
}

export const maximumRetryAttempts = (config: EventInvokeConfig | undefined): number =>
  config?.maximumRetryAttempts ?? DEFAULT_RETRY_ATTEMPTS;

export const maximumEventAgeMs = (config: EventInvokeConfig | undefined): number =>
  (config?.maximumEventAgeInSeconds ?? DEFAULT_EVENT_AGE_SECONDS) * 1000;

/** The destination a finished invocation goes to, if its configuration names one for how it finished. */
export const destinationFor = (
  config: EventInvokeConfig | undefined,
  condition: FinishCondition,
): string | undefined => (condition === 'Success' ? config?.onSuccess : config?.onFailure);

/** The invocation record Lambda sends to a destination. */
export function invocationRecord(attempt: FinishedAttempt, condition: FinishCondition, now: number): string {
  return JSON.stringify({
    version: '1.0',
    timestamp: new Date(now).toISOString(),
    requestContext: {
      requestId: attempt.requestId,
      functionArn: `${attempt.functionArn}:${FUNCTION_VERSION}`,
      condition,
      approximateInvokeCount: attempt.invokeCount,
    },
    requestPayload: parsedOrText(attempt.requestPayload),
    responseContext: {
      statusCode: 200,
      executedVersion: FUNCTION_VERSION,
      ...(attempt.functionError ? { functionError: attempt.functionError } : {}),
    },
    responsePayload: parsedOrText(attempt.responsePayload),
  });
}

/** The record as a destination of any kind takes it; an event bus gets Lambda's result event. */
export function destinationDelivery(pending: PendingDestination, functionArn: string): TargetDelivery {
  return {
    payload: pending.record,
    event: {
      Source: 'lambda',
      DetailType: `Lambda Function Invocation Result - ${pending.succeeded ? 'Success' : 'Failure'}`,
      Detail: pending.record,
      Resources: [pending.targetArn, `${functionArn}:${FUNCTION_VERSION}`],
    },
  };
}

function parsedOrText(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    return payload;
  }
}

/** Lambda retries a failed async event about one minute, then two minutes, after the failure. */
const RETRY_DELAYS_MS = [60_000, 120_000];

export type AttemptDecision = { readonly retryAt: number } | { readonly finished: FinishCondition };

/**
 * After attempt number `attempt` (0 for the first) of an event accepted at `acceptedAt`: when to try again,
 * or how the invocation finished. A retry must fall within both the retry count and the event's age.
 */
export function afterEventAttempt(
  config: EventInvokeConfig | undefined,
  attempt: { readonly number: number; readonly failed: boolean; readonly acceptedAt: number },
  now: number,
): AttemptDecision {
  if (!attempt.failed) return { finished: 'Success' };
  const delay = RETRY_DELAYS_MS[attempt.number];
  if (delay === undefined || attempt.number >= maximumRetryAttempts(config)) {
    return { finished: 'RetriesExhausted' };
  }
  const retryAt = now + delay;
  if (retryAt - attempt.acceptedAt > maximumEventAgeMs(config)) return { finished: 'EventAgeExceeded' };
  return { retryAt };
}
