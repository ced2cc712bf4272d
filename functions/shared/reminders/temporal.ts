/**
 * The Temporal API: the runtime's own where it has one, else temporal-polyfill (Node 20 has none), so every
 * reminder module does its zoned arithmetic with one implementation. The namespace carries the types.
 */
import { Temporal as Polyfill } from 'temporal-polyfill';

export const Temporal: typeof Polyfill = (globalThis as { Temporal?: typeof Polyfill }).Temporal ?? Polyfill;

export declare namespace Temporal {
  type Instant = Polyfill.Instant;
  type PlainDate = Polyfill.PlainDate;
  type PlainDateTime = Polyfill.PlainDateTime;
  type ZonedDateTime = Polyfill.ZonedDateTime;
}
