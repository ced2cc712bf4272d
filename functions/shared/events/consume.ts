/**
 * The one way functions read an Aurora event from EventBridge: the detail-type must be in the catalogue,
 * the source must be the one it is published under, and the detail must match its schema.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import {
  type DetailOf,
  type DetailType,
  EventValidationError,
  isDetailType,
  SOURCE_OF,
  validateDetail,
} from './contracts';

export interface ReceivedEvent<T extends DetailType> {
  readonly id: string;
  readonly time: string;
  readonly source: string;
  readonly detailType: T;
  readonly detail: DetailOf<T>;
}

export function parseEvent<T extends DetailType>(
  event: EventBridgeEvent<string, unknown>,
  accepted: readonly T[],
): ReceivedEvent<T> {
  const detailType = event['detail-type'];
  if (!isDetailType(detailType) || !(accepted as readonly string[]).includes(detailType)) {
    throw new EventValidationError(
      String(detailType),
      `detail-type is not one this consumer accepts (${accepted.join(', ')})`,
    );
  }
  if (event.source !== SOURCE_OF[detailType]) {
    throw new EventValidationError(
      detailType,
      `source must be ${SOURCE_OF[detailType]}, got ${event.source}`,
    );
  }
  return {
    id: event.id,
    time: event.time,
    source: event.source,
    detailType: detailType as T,
    detail: validateDetail(detailType as T, event.detail),
  };
}
