/**
 * One SQS queue: its messages in send order, visibility, FIFO groups and deduplication, and a journal of
 * every change (one JSON line per change, appended before the call answers) so that kill -9 loses nothing
 * that was acknowledged. The journal is rewritten as a snapshot when it grows much longer than the queue.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { appendJsonLine, readJsonLines } from '../shared/persistence';
import { type MessageAttributes, md5OfAttributes, md5OfBody } from './md5';

export interface StoredMessage {
  readonly id: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly attributes?: MessageAttributes;
  readonly md5OfAttributes?: string;
  readonly systemAttributes?: MessageAttributes;
  readonly md5OfSystemAttributes?: string;
  readonly sentAt: number;
  readonly senderId: string;
  readonly groupId?: string;
  readonly deduplicationId?: string;
  readonly sequenceNumber?: string;
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** Changes on every receive; only the latest receipt handle deletes the message. */
  receipt?: string;
}

export interface QueueDefinition {
  readonly name: string;
  readonly attributes: Record<string, string>;
  readonly createdAt: number;
  lastModifiedAt: number;
  readonly tags: Record<string, string>;
}

export interface NewMessage {
  readonly body: string;
  readonly attributes?: MessageAttributes;
  readonly systemAttributes?: MessageAttributes;
  readonly delaySeconds?: number;
  readonly groupId?: string;
  readonly deduplicationId?: string;
  readonly senderId: string;
}

type JournalEntry =
  | { readonly op: 'send'; readonly message: StoredMessage }
  | {
      readonly op: 'receive';
      readonly id: string;
      readonly visibleAt: number;
      readonly receiveCount: number;
      readonly firstReceivedAt: number;
      readonly receipt: string;
    }
  | { readonly op: 'visibility'; readonly id: string; readonly visibleAt: number }
  | { readonly op: 'delete'; readonly id: string }
  | { readonly op: 'purge' };

const DEDUPLICATION_WINDOW_MS = 5 * 60_000;
const COMPACT_AFTER_ENTRIES = 1000;

export class Queue {
  /** In send order (Map keeps insertion order), which is also FIFO order. */
  private readonly messages = new Map<string, StoredMessage>();
  private readonly deduplication = new Map<string, { readonly messageId: string; readonly at: number }>();
  private sequence = 0;
  private journalEntries = 0;

  constructor(
    readonly definition: QueueDefinition,
    readonly arn: string,
    /** Undefined keeps the queue in memory only. */
    private readonly journalPath: string | undefined,
  ) {
    if (!journalPath) return;
    const entries = readJsonLines<JournalEntry>(journalPath);
    for (const entry of entries) this.apply(entry);
    if (entries.length > this.messages.size) this.compact();
  }

  get name(): string {
    return this.definition.name;
  }

  get fifo(): boolean {
    return this.definition.attributes.FifoQueue === 'true';
  }

  /** A numeric queue attribute (defaults are filled in at creation). */
  setting(
    name: 'DelaySeconds' | 'MaximumMessageSize' | 'MessageRetentionPeriod' | 'VisibilityTimeout',
  ): number {
    return Number(this.definition.attributes[name]);
  }

  /** Adds a message, or returns the earlier one when a FIFO deduplication id repeats within 5 minutes. */
  send(input: NewMessage, now: number): StoredMessage {
    if (input.deduplicationId) {
      const earlier = this.deduplication.get(input.deduplicationId);
      if (earlier && now - earlier.at < DEDUPLICATION_WINDOW_MS) {
        const message = this.messages.get(earlier.messageId);
        if (message) return message;
        return { ...this.build(input, now), id: earlier.messageId };
      }
    }
    const message = this.build(input, now);
    this.commit({ op: 'send', message });
    return message;
  }

  /**
   * Takes up to `max` visible messages and hides them for `visibilityMs`. A FIFO group with a message in
   * flight yields nothing until that message is deleted or visible again. `redrive` may claim a message
   * that was received too often (it then moves to the dead-letter queue).
   */
  receive(
    max: number,
    visibilityMs: number,
    now: number,
    redrive?: (message: StoredMessage) => boolean,
  ): StoredMessage[] {
    this.dropExpired(now);
    const taken: StoredMessage[] = [];
    const blockedGroups = new Set<string>();
    for (const message of this.messages.values()) {
      if (taken.length >= max) break;
      const group = this.fifo ? message.groupId : undefined;
      if (message.visibleAt > now) {
        if (group !== undefined) blockedGroups.add(group);
        continue;
      }
      if (group !== undefined && blockedGroups.has(group)) continue;
      if (redrive?.(message)) {
        this.commit({ op: 'delete', id: message.id });
        continue;
      }
      this.commit({
        op: 'receive',
        id: message.id,
        visibleAt: now + visibilityMs,
        receiveCount: message.receiveCount + 1,
        firstReceivedAt: message.firstReceivedAt ?? now,
        receipt: randomBytes(12).toString('base64url'),
      });
      taken.push(message);
    }
    return taken;
  }

  /** Deletes the message if `receipt` is its latest; an older receipt succeeds without deleting, as in SQS. */
  delete(messageId: string, receipt: string): void {
    const message = this.messages.get(messageId);
    if (message && message.receipt === receipt) this.commit({ op: 'delete', id: messageId });
  }

  /** The message a receipt refers to while that receipt is its latest and the message is in flight. */
  inFlight(messageId: string, receipt: string, now: number): StoredMessage | undefined {
    const message = this.messages.get(messageId);
    return message && message.receipt === receipt && message.visibleAt > now ? message : undefined;
  }

  changeVisibility(message: StoredMessage, visibleAt: number): void {
    this.commit({ op: 'visibility', id: message.id, visibleAt });
  }

  purge(): void {
    this.commit({ op: 'purge' });
  }

  counts(now: number): { visible: number; inFlight: number; delayed: number } {
    this.dropExpired(now);
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const message of this.messages.values()) {
      if (message.visibleAt <= now) visible++;
      else if (message.receiveCount > 0) inFlight++;
      else delayed++;
    }
    return { visible, inFlight, delayed };
  }

  /** When the next hidden message becomes visible, if any is hidden. */
  nextVisibleAt(now: number): number | undefined {
    let next: number | undefined;
    for (const message of this.messages.values()) {
      if (message.visibleAt > now && (next === undefined || message.visibleAt < next))
        next = message.visibleAt;
    }
    return next;
  }

  /** Adds a message moved here from another queue's redrive, keeping its identity and first send time. */
  adopt(message: StoredMessage, now: number): void {
    this.commit({
      op: 'send',
      message: {
        ...message,
        visibleAt: now,
        receiveCount: 0,
        firstReceivedAt: undefined,
        receipt: undefined,
      },
    });
  }

  /** Removes the journal of a deleted queue. */
  destroy(): void {
    if (this.journalPath) rmSync(this.journalPath, { force: true });
  }

  private build(input: NewMessage, now: number): StoredMessage {
    const hasAttributes = input.attributes && Object.keys(input.attributes).length > 0;
    const hasSystemAttributes = input.systemAttributes && Object.keys(input.systemAttributes).length > 0;
    const delaySeconds = input.delaySeconds ?? this.setting('DelaySeconds');
    return {
      id: randomUUID(),
      body: input.body,
      md5OfBody: md5OfBody(input.body),
      attributes: hasAttributes ? input.attributes : undefined,
      md5OfAttributes: hasAttributes && input.attributes ? md5OfAttributes(input.attributes) : undefined,
      systemAttributes: hasSystemAttributes ? input.systemAttributes : undefined,
      md5OfSystemAttributes:
        hasSystemAttributes && input.systemAttributes ? md5OfAttributes(input.systemAttributes) : undefined,
      sentAt: now,
      senderId: input.senderId,
      groupId: input.groupId,
      deduplicationId: input.deduplicationId,
      sequenceNumber: this.fifo ? String(this.sequence + 1).padStart(20, '0') : undefined,
      visibleAt: now + delaySeconds * 1000,
      receiveCount: 0,
    };
  }

  private dropExpired(now: number): void {
    const retentionMs = this.setting('MessageRetentionPeriod') * 1000;
    for (const message of this.messages.values()) {
      // Send order is age order, so the first young message ends the search.
      if (message.sentAt + retentionMs > now) break;
      this.commit({ op: 'delete', id: message.id });
    }
  }

  /** Journals a change, then applies it. */
  private commit(entry: JournalEntry): void {
    if (this.journalPath) {
      appendJsonLine(this.journalPath, entry);
      this.journalEntries++;
    }
    this.apply(entry);
    if (this.journalEntries > COMPACT_AFTER_ENTRIES && this.journalEntries > 4 * this.messages.size)
      this.compact();
  }

  private apply(entry: JournalEntry): void {
    switch (entry.op) {
      case 'send': {
        const message = { ...entry.message };
        this.messages.set(message.id, message);
        if (message.deduplicationId) {
          this.deduplication.set(message.deduplicationId, { messageId: message.id, at: message.sentAt });
        }
        if (message.sequenceNumber) this.sequence = Math.max(this.sequence, Number(message.sequenceNumber));
        return;
      }
      case 'receive': {
        const message = this.messages.get(entry.id);
        if (!message) return;
        message.visibleAt = entry.visibleAt;
        message.receiveCount = entry.receiveCount;
        message.firstReceivedAt = entry.firstReceivedAt;
        message.receipt = entry.receipt;
        return;
      }
      case 'visibility': {
        const message = this.messages.get(entry.id);
        if (message) message.visibleAt = entry.visibleAt;
        return;
      }
      case 'delete':
        this.messages.delete(entry.id);
        return;
      case 'purge':
        this.messages.clear();
    }
  }

  /** Rewrites the journal as one `send` line per live message, atomically (temporary file, then rename). */
  private compact(): void {
    if (!this.journalPath) return;
    let text = '';
    for (const message of this.messages.values()) text += `${JSON.stringify({ op: 'send', message })}\n`;
    const temporary = `${this.journalPath}.${process.pid}.tmp`;
    mkdirSync(dirname(temporary), { recursive: true });
    writeFileSync(temporary, text);
    renameSync(temporary, this.journalPath);
    this.journalEntries = this.messages.size;
  }
}

/** SHA-256 of the body: the deduplication id of a FIFO queue with ContentBasedDeduplication. */
export function contentDeduplicationId(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}
