/**
 * The HTTP load generator of the webhook benchmark, run as a child process (`startLoadGenerator`), as wrk or
 * autocannon would be: a client sharing the server's event loop would delay the very requests it times, and
 * its own work would be counted against the server. The parent sends one job at a time; the child answers
 * with the latency of every request.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { signDelivery } from '../../functions/shared/messenger/signature';
import {
  delivery,
  deliveryReceipt,
  type MessagingItem,
  newMid,
  readReceipt,
  textMessage,
} from '../../test/fixtures/messenger/deliveries';

/**
 * `read`: read receipts, which exercise the webhook alone. `conversation`: Meta's traffic for a chat, in turn
 * a message, the delivery receipt of the bot's reply and its read receipt (one delivery in three starts a
 * conversation turn).
 */
export type ItemKind = 'read' | 'conversation';

export type LoadRequest =
  | { readonly kind: 'get'; readonly url: string }
  | {
      readonly kind: 'delivery';
      readonly url: string;
      readonly appSecret: string;
      readonly items: number;
      readonly itemKind: ItemKind;
    }
  | {
      readonly kind: 'putEvents';
      readonly endpoint: string;
      readonly region: string;
      readonly busName: string;
      readonly entries: number;
    };

/**
 * `open`: requests leave on a fixed schedule whether or not earlier ones have answered (so a slow server
 * builds a queue, as it would in production), at a rate that goes linearly from `rate` to `toRate` (a ramp)
 * or stays at `rate`. `burst`: all at once.
 */
export type LoadShape =
  | { readonly mode: 'open'; readonly rate: number; readonly toRate?: number; readonly seconds: number }
  | { readonly mode: 'burst'; readonly count: number };

export interface LoadResult {
  /** Milliseconds from send to the last byte of the answer, in send order. */
  readonly latencies: number[];
  /** When each request was sent, in milliseconds from the start of the job. */
  readonly sentAtMs: number[];
  readonly elapsedMs: number;
  /** Answers that were not 200, by status. */
  readonly failures: Record<string, number>;
}

interface Job {
  readonly id: number;
  readonly request: LoadRequest;
  readonly shape: LoadShape;
}

type JobAnswer = { readonly id: number } & ({ readonly result: LoadResult } | { readonly error: string });

export interface LoadGenerator {
  run(request: LoadRequest, shape: LoadShape): Promise<LoadResult>;
  stop(): void;
}

export function startLoadGenerator(): LoadGenerator {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--child'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<
    number,
    { resolve: (result: LoadResult) => void; reject: (error: Error) => void }
  >();
  let nextId = 0;
  child.on('message', (answer: JobAnswer) => {
    const job = waiting.get(answer.id);
    waiting.delete(answer.id);
    if ('result' in answer) job?.resolve(answer.result);
    else job?.reject(new Error(`load generator: ${answer.error}`));
  });
  child.on('exit', (code) => {
    for (const job of waiting.values()) job.reject(new Error(`load generator exited with ${code}`));
    waiting.clear();
  });
  return {
    run: (request, shape) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        child.send({ id, request, shape } satisfies Job);
      }),
    stop: () => child.kill(),
  };
}

// ---- the child ----

let psidCounter = 9_000_000_000_000 + (process.pid % 1000) * 1_000_000;
let conversationStep = 0;
let lastMid = '';

function messagingItem(kind: ItemKind, index: number): MessagingItem {
  const now = Date.now();
  if (kind === 'read') return readReceipt(String(++psidCounter), now + index);
  const step = conversationStep++ % 3;
  if (step === 0) {
    lastMid = newMid();
    return textMessage(String(++psidCounter), 'list', now, lastMid);
  }
  return step === 1
    ? deliveryReceipt(String(psidCounter), now, [lastMid])
    : readReceipt(String(psidCounter), now);
}

function signedDelivery(request: Extract<LoadRequest, { kind: 'delivery' }>) {
  const messaging = Array.from({ length: request.items }, (_, index) =>
    messagingItem(request.itemKind, index),
  );
  const body = JSON.stringify(delivery(messaging));
  return { body, signature: signDelivery(body, request.appSecret) };
}

// node:http with keep-alive costs the generator a third of the CPU that fetch does: the generator shares the
// machine with the server, so its own cost is kept low.
const agent = new Agent({ keepAlive: true, maxSockets: 1024 });

/**
 * Sends one HTTP request, reads the whole answer, and answers its status. A kept-alive connection the server
 * closed just as it was reused is retried once on a new one, as HTTP clients do.
 */
function send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<number> {
  const attempt = (retryOnReset: boolean): Promise<number> =>
    new Promise((resolve, reject) => {
      const outgoing = httpRequest(url, { method, headers, agent }, (response) => {
        response.on('data', () => {});
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      });
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        if (retryOnReset && outgoing.reusedSocket && error.code === 'ECONNRESET') resolve(attempt(false));
        else reject(error);
      });
      outgoing.end(body);
    });
  return attempt(true);
}

/** Builds the function that sends one request and answers its HTTP status. */
function sender(request: LoadRequest): () => Promise<number> {
  switch (request.kind) {
    case 'get':
      return () => send(request.url, 'GET', {});
    case 'delivery':
      return () => {
        const { body, signature } = signedDelivery(request);
        return send(
          request.url,
          'POST',
          {
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
            'x-hub-signature-256': signature,
          },
          body,
        );
      };
    case 'putEvents': {
      const events = new EventBridgeClient({
        endpoint: request.endpoint,
        region: request.region,
        credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
      });
      let call = 0;
      return async () => {
        call += 1;
        const output = await events.send(
          new PutEventsCommand({
            Entries: Array.from({ length: request.entries }, (_, index) => ({
              EventBusName: request.busName,
              Source: 'bench.direct',
              DetailType: 'Direct',
              Detail: JSON.stringify({ call, index }),
            })),
          }),
        );
        return output.FailedEntryCount ? 500 : 200;
      };
    }
  }
}

async function runJob(request: LoadRequest, shape: LoadShape): Promise<LoadResult> {
  const send = sender(request);
  const failures: Record<string, number> = {};
  const timed = async (): Promise<number> => {
    const sent = performance.now();
    const status = await send().catch(() => 0);
    if (status !== 200) failures[status] = (failures[status] ?? 0) + 1;
    return performance.now() - sent;
  };
  const started = performance.now();
  const pending: Promise<number>[] = [];
  const sentAtMs: number[] = [];
  const sendNow = () => {
    sentAtMs.push(performance.now() - started);
    pending.push(timed());
  };
  if (shape.mode === 'burst') {
    for (let index = 0; index < shape.count; index++) sendNow();
  } else {
    const durationMs = shape.seconds * 1000;
    const rateAt = (elapsedMs: number) =>
      shape.rate + ((shape.toRate ?? shape.rate) - shape.rate) * (elapsedMs / durationMs);
    for (let dueMs = 0; dueMs < durationMs; dueMs += 1000 / rateAt(dueMs)) {
      const wait = started + dueMs - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      sendNow();
    }
  }
  const latencies = await Promise.all(pending);
  return { latencies, sentAtMs, elapsedMs: performance.now() - started, failures };
}

if (process.argv.includes('--child')) {
  process.on('message', (job: Job) => {
    runJob(job.request, job.shape).then(
      (result) => process.send?.({ id: job.id, result } satisfies JobAnswer),
      (error: unknown) => process.send?.({ id: job.id, error: String(error) } satisfies JobAnswer),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
