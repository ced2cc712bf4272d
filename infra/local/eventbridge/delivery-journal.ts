/**
 * The durable record of EventBridge deliveries not yet finished (shared/journal.ts): every accepted event's
 * delivery to each matched target, written before PutEvents answers, rewritten with each retry's due time,
 * and cleared once the target accepted it or it was dead-lettered.
 */
import { Journal } from '../shared/journal';
import type { EventEnvelope, TargetRecord } from './model';

/** One matched event for one rule target. */
export interface DeliveryJob {
  readonly event: EventEnvelope;
  readonly ruleArn: string;
  readonly ruleName: string;
  readonly target: TargetRecord;
  /** Epoch ms the bus accepted the event. */
  readonly ingestedAt: number;
}

/** A delivery as persisted until it is finished. */
export interface PendingDelivery extends DeliveryJob {
  readonly id: string;
  /** The number of the next attempt (1 for the first). */
  readonly attempt: number;
  /** Epoch ms the next attempt is due. */
  readonly dueAt: number;
  readonly lastError?: { readonly code: string; readonly message: string };
}

/** The pending deliveries under `directory`, in `deliveries.jsonl` and `deliveries.json`. */
export class DeliveryJournal extends Journal<PendingDelivery> {
  constructor(directory: string) {
    super({ directory, name: 'deliveries', valueMember: 'delivery', idOf: (delivery) => delivery.id });
  }
}
