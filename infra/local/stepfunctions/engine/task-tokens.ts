/** Callback tokens of `.waitForTaskToken` tasks, shared by every execution of one service. */
import { randomBytes } from 'node:crypto';

export interface TokenWaiter {
  succeed(output: unknown): void;
  fail(error: string | undefined, cause: string | undefined): void;
  heartbeat(): void;
}

export type TokenAnswer = 'ok' | 'unknown' | 'invalid';

export class TaskTokens {
  private readonly waiting = new Map<string, TokenWaiter>();
  /** Tokens that were issued and have since completed or timed out (TaskTimedOut vs InvalidToken). */
  private readonly finished = new Set<string>();

  static create(): string {
    return randomBytes(48).toString('base64url');
  }

  register(token: string, waiter: TokenWaiter): void {
    this.waiting.set(token, waiter);
  }

  release(token: string): void {
    if (this.waiting.delete(token)) this.finished.add(token);
  }

  has(token: string): boolean {
    return this.waiting.has(token);
  }

  wasFinished(token: string): boolean {
    return this.finished.has(token);
  }

  get(token: string): TokenWaiter | undefined {
    return this.waiting.get(token);
  }
}
