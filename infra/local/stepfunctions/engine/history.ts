/**
 * The execution history in GetExecutionHistory shape. Events are appended by every branch of an execution;
 * each branch keeps its own thread so that `previousEventId` points at the event that led to the new one.
 */
export interface HistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly type: string;
  /** Epoch milliseconds. */
  readonly timestamp: number;
  readonly [detailsKey: string]: unknown;
}

/** The event id a branch of execution last produced. */
export interface Thread {
  last: number;
}

export class History {
  readonly events: HistoryEvent[];

  constructor(
    private readonly now: () => number,
    events: HistoryEvent[] = [],
    /** Called for each new event (persistence). */
    private readonly onEvent?: (event: HistoryEvent) => void,
  ) {
    this.events = events;
  }

  add(thread: Thread, type: string, details?: Record<string, unknown>): number {
    const id = this.events.length + 1;
    const event: Record<string, unknown> = { id, previousEventId: thread.last, type, timestamp: this.now() };
    if (details) event[detailsKeyOf(type)] = details;
    this.events.push(event as HistoryEvent);
    thread.last = id;
    this.onEvent?.(event as HistoryEvent);
    return id;
  }
}

/** `TaskStateEntered` → `stateEnteredEventDetails`, `MapIterationStarted` → `mapIterationStartedEventDetails`. */
const detailsKeys = new Map<string, string>();
function detailsKeyOf(type: string): string {
  let key = detailsKeys.get(type);
  if (key === undefined) {
    key = computeDetailsKey(type);
    detailsKeys.set(type, key);
  }
  return key;
}

function computeDetailsKey(type: string): string {
  const stateEvent = /^(?:Pass|Task|Choice|Wait|Succeed|Fail|Map|Parallel)State(Entered|Exited)$/.exec(type);
  if (stateEvent) return `state${stateEvent[1]}EventDetails`;
  return `${type[0]?.toLowerCase()}${type.slice(1)}EventDetails`;
}

/**
 * JSON text of a payload. A state's output object becomes the next state's input unchanged (values are never
 * mutated in place), so the text of the last object is kept rather than produced twice.
 */
let lastValue: unknown;
let lastText = '';
export function jsonText(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (value !== lastValue) {
    lastText = JSON.stringify(value);
    lastValue = value;
  }
  return lastText;
}

/** AWS's `input`/`output` detail pair: the JSON text and whether it was truncated. */
export const payloadDetails = (key: 'input' | 'output', value: unknown): Record<string, unknown> => ({
  [key]: jsonText(value),
  [`${key}Details`]: { truncated: false },
});
