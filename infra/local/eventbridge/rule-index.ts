/**
 * The rules of one bus, indexed so that an event is only tested against rules that could match it: a rule
 * whose pattern names exact `source` values sits in a bucket per value (events always carry one string
 * source), every other rule is tested for every event.
 */
import { type EventMatcher, type PreparedEvent, prepareEvent } from './pattern';

type PreparedTest = (event: PreparedEvent) => boolean;

export class RuleIndex<Key> {
  private readonly bySource = new Map<string, Map<Key, PreparedTest>>();
  private readonly everywhere = new Map<Key, PreparedTest>();
  private readonly sourcesOf = new Map<Key, readonly string[] | undefined>();

  set(key: Key, matcher: EventMatcher): void {
    this.delete(key);
    this.sourcesOf.set(key, matcher.sources);
    if (!matcher.sources) {
      this.everywhere.set(key, matcher.prepared);
      return;
    }
    for (const source of matcher.sources) {
      let bucket = this.bySource.get(source);
      if (!bucket) {
        bucket = new Map();
        this.bySource.set(source, bucket);
      }
      bucket.set(key, matcher.prepared);
    }
  }

  delete(key: Key): void {
    if (!this.sourcesOf.has(key)) return;
    const sources = this.sourcesOf.get(key);
    this.sourcesOf.delete(key);
    this.everywhere.delete(key);
    for (const source of sources ?? []) {
      const bucket = this.bySource.get(source);
      bucket?.delete(key);
      if (bucket?.size === 0) this.bySource.delete(source);
    }
  }

  /** Keys of the rules matching `event`, in no particular order. */
  matching(event: Readonly<Record<string, unknown>>): Key[] {
    const prepared = prepareEvent(event);
    const matched: Key[] = [];
    const source = event.source;
    const bucket = typeof source === 'string' ? this.bySource.get(source) : undefined;
    if (bucket) for (const [key, test] of bucket) if (test(prepared)) matched.push(key);
    for (const [key, test] of this.everywhere) if (test(prepared)) matched.push(key);
    return matched;
  }
}
