/**
 * Messenger webhook acknowledgement through the local API Gateway of the real app, at a steady 200
 * requests/s (open loop: requests leave on schedule whether or not earlier ones have answered), each a signed
 * delivery. Two loads: read receipts (the webhook alone: verify, dedupe, publish) and messages (each also
 * starts a conversation turn, which shares the machine). The baseline is the health route (a function making
 * two AWS calls) at the same rate through the same gateway. Events published per second: a burst of batched
 * deliveries (10 items each), against PutEvents straight from the SDK to the same local bus. Capacity: read
 * receipts answered per second with a fixed number in flight (closed loop), against the 200 req/s the
 * latency target is set at; below it, an open-loop queue can only grow and the p99 reflects the backlog.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { signDelivery } from '../functions/shared/messenger/signature';
import { delivery, readReceipt, textMessage } from '../test/fixtures/messenger/deliveries';
import { startTestCloud, type TestCloud } from '../test/support/local-cloud';
import type { BenchRow } from './index';

const RATE = 200;
const SECONDS = 3;
const WARMUP_SECONDS = 1;
const BURST_DELIVERIES = 100;
const ITEMS_PER_DELIVERY = 10;
const APP_SECRET = 'aurora-dev-app-secret';
const DRAIN_TIMEOUT_MS = 30_000;
const TARGET_P99_MS = 50;
const CAPACITY_IN_FLIGHT = 16;
const CAPACITY_SECONDS = 2;

/** Messages start a conversation turn each; read receipts exercise the webhook alone. */
export type ItemKind = 'message' | 'read';

function percentile(samples: number[], fraction: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

/** Sends `request()` at `rate` per second for `seconds`; answers each latency in ms (a non-200 throws). */
async function steadyRate(
  rate: number,
  seconds: number,
  request: () => Promise<Response>,
): Promise<number[]> {
  const interval = 1000 / rate;
  const started = performance.now();
  const pending: Promise<number>[] = [];
  for (let index = 0; index < rate * seconds; index++) {
    const wait = started + index * interval - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(
      (async () => {
        const sent = performance.now();
        const response = await request();
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`request ${index} answered ${response.status}`);
        return performance.now() - sent;
      })(),
    );
  }
  return Promise.all(pending);
}

/** Keeps `inFlight` requests outstanding for `seconds`; answers completed requests per second. */
async function closedLoop(
  inFlight: number,
  seconds: number,
  request: () => Promise<Response>,
): Promise<number> {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let completed = 0;
  const client = async () => {
    while (performance.now() < deadline) {
      const response = await request();
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`capacity request answered ${response.status}`);
      completed += 1;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, client));
  return (completed * 1000) / (performance.now() - started);
}

let psidCounter = 9_000_000_000_000;
function signedDelivery(items: number, kind: ItemKind): { body: string; signature: string } {
  const messaging = Array.from({ length: items }, (_, index) =>
    kind === 'message'
      ? textMessage(String(++psidCounter), `hello ${index} 👋`, Date.now())
      : readReceipt(String(++psidCounter), Date.now() + index),
  );
  const body = JSON.stringify(delivery(messaging));
  return { body, signature: signDelivery(body, APP_SECRET) };
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const perSecond = (count: number, elapsedMs: number) =>
  `${Math.round((count * 1000) / elapsedMs).toLocaleString('en-US')} events/s`;

export async function run(): Promise<BenchRow[]> {
  // A real clock: the stage's throttle (200 rps, burst 400) refills on the local cloud's clock.
  const test = await startTestCloud({ config: { clockMode: 'real' } });
  try {
    return await measure(test);
  } finally {
    await test.stop();
  }
}

/** The measurements, on a running local cloud with the app deployed. */
export async function measure(test: TestCloud, rate: number = RATE): Promise<BenchRow[]> {
  const events = new EventBridgeClient(test.clientConfig);
  let conversationTurns = 0;
  const stopCounting = test.cloud.services.lambda.onInvocation((record) => {
    if (record.functionName.includes('Conversation')) conversationTurns += 1;
  });
  try {
    const post = (items: number, kind: ItemKind) => {
      const { body, signature } = signedDelivery(items, kind);
      return fetch(`${test.cloud.apiUrl}/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
        body,
      });
    };
    const getHealth = () => fetch(`${test.cloud.apiUrl}/health`);

    await steadyRate(rate, WARMUP_SECONDS, getHealth);
    const health = await steadyRate(rate, SECONDS, getHealth);
    await steadyRate(rate, WARMUP_SECONDS, () => post(1, 'read'));
    const receipts = await steadyRate(rate, SECONDS, () => post(1, 'read'));
    const capacity = await closedLoop(CAPACITY_IN_FLIGHT, CAPACITY_SECONDS, () => post(1, 'read'));

    const burstStarted = performance.now();
    await Promise.all(Array.from({ length: BURST_DELIVERIES }, () => post(ITEMS_PER_DELIVERY, 'read')));
    const webhookElapsed = performance.now() - burstStarted;
    const directStarted = performance.now();
    await Promise.all(
      Array.from({ length: BURST_DELIVERIES }, (_, call) =>
        events.send(
          new PutEventsCommand({
            Entries: Array.from({ length: ITEMS_PER_DELIVERY }, (_, index) => ({
              EventBusName: 'aurora-dev',
              Source: 'bench.direct',
              DetailType: 'Direct',
              Detail: JSON.stringify({ call, index }),
            })),
          }),
        ),
      ),
    );
    const directElapsed = performance.now() - directStarted;

    // Last, because the conversation turns they start keep the machine busy after the acks.
    const messages = await steadyRate(rate, SECONDS, () => post(1, 'message'));
    const sentMessages = rate * SECONDS;
    const drainStarted = performance.now();
    while (conversationTurns < sentMessages && performance.now() - drainStarted < DRAIN_TIMEOUT_MS) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const healthLine = (fraction: number) => `GET /health: ${ms(percentile(health, fraction))}`;
    const ratio = (samples: number[], fraction: number) =>
      `${(percentile(samples, fraction) / percentile(health, fraction)).toFixed(2)}x`;
    const latencyRows = (label: string, samples: number[]): BenchRow[] => [
      {
        name: `webhook ack p50 at ${rate} req/s, ${label}`,
        value: ms(percentile(samples, 0.5)),
        baseline: healthLine(0.5),
        ratio: ratio(samples, 0.5),
      },
      {
        name: `webhook ack p99 at ${rate} req/s, ${label}`,
        value: ms(percentile(samples, 0.99)),
        baseline: healthLine(0.99),
        ratio: ratio(samples, 0.99),
        target: `p99 < ${TARGET_P99_MS} ms (measured: ${(percentile(samples, 0.99) / TARGET_P99_MS).toFixed(1)}x)`,
        met: percentile(samples, 0.99) < TARGET_P99_MS,
      },
    ];
    return [
      ...latencyRows('read receipts (webhook alone)', receipts),
      {
        name: `webhook capacity, read receipts (${CAPACITY_IN_FLIGHT} in flight)`,
        value: `${Math.round(capacity)} req/s`,
        baseline: `target load: ${rate} req/s`,
        ratio: `${(capacity / rate).toFixed(2)}x`,
        target: `≥ ${rate} req/s`,
        met: capacity >= rate,
      },
      ...latencyRows('messages (each starts a conversation turn)', messages),
      {
        name: `events published through the webhook (${ITEMS_PER_DELIVERY} per delivery)`,
        value: perSecond(BURST_DELIVERIES * ITEMS_PER_DELIVERY, webhookElapsed),
        baseline: `PutEvents from the SDK: ${perSecond(BURST_DELIVERIES * ITEMS_PER_DELIVERY, directElapsed)}`,
        ratio: `${(directElapsed / webhookElapsed).toFixed(2)}x`,
      },
      {
        name: 'conversation turns completed after the message load',
        value: `${conversationTurns} of ${sentMessages}`,
      },
    ];
  } finally {
    stopCounting();
    events.destroy();
  }
}
