/**
 * Messenger webhook acknowledgement through the local API Gateway of the real app, at a steady 200
 * requests/s (open loop: requests leave on schedule whether or not earlier ones have answered), each a signed
 * delivery, sent by a load generator in its own process. Two loads: read receipts (the webhook alone: verify,
 * dedupe, publish) and a chat's traffic as Meta sends it (a message, then the delivery and read receipts of
 * the bot's reply: every third delivery starts a conversation turn, which shares the machine). The baseline is
 * the health route (a function making two AWS calls) at the same rate through the same gateway.
 * The target is about the steady state, so each load is measured after a warm-up: a ramp from a tenth of
 * the rate up to it, as traffic grows after a deploy, then the rate itself. A new execution environment runs
 * its code unoptimised for its first few thousand invocations, as a fresh Lambda environment does; the first
 * seconds after deploy are reported as well. Server CPU per request is the local
 * cloud's own CPU time (the generator is another process) over the measured requests. Events published per
 * second: a burst of batched deliveries (10 items each), against PutEvents straight from the SDK to the same
 * local bus.
 */
import type { TestCloud } from '../test/support/local-cloud';
import type { BenchRow } from './index';
import {
  type ItemKind,
  type LoadRequest,
  type LoadResult,
  startLoadGenerator,
} from './support/load-generator';
import { onRealClockCloud } from './support/real-clock-cloud';
import { median, ms, percentile } from './support/stats';

const RATE = 200;
/**
 * The steady state is measured in several windows and each figure is the median window's: on a shared 2-core
 * machine one window's p99 moves with whatever else the machine did in those seconds.
 */
const WINDOWS = 3;
const SECONDS = 10;
/** Warm-up: a ramp from a tenth of the rate up to it, then the rate itself. */
const RAMP_SECONDS = 10;
const WARMUP_SECONDS = 15;
const HEALTH_WARMUP_SECONDS = 5;
/** The start of the ramp, reported as "cold": the first seconds after deploy. */
const COLD_SECONDS = 5;
const BURST_DELIVERIES = 100;
const ITEMS_PER_DELIVERY = 10;
const APP_SECRET = 'aurora-dev-app-secret';
const DRAIN_TIMEOUT_MS = 60_000;
const TARGET_P99_MS = 50;
/**
 * The chat load runs at half the rate: a 200 req/s chat starts 67 conversation turns a second, each several
 * AWS calls and a Send API call (about 11 ms of CPU), which with the acknowledgements needs more CPU than a
 * 2-core machine has.
 */
const CHAT_RATE = 100;

const perSecond = (count: number, elapsedMs: number) =>
  `${Math.round((count * 1000) / elapsedMs).toLocaleString('en-US')} events/s`;

function assertAllAnswered(label: string, result: LoadResult): void {
  if (Object.keys(result.failures).length > 0) {
    throw new Error(`${label}: requests answered other than 200: ${JSON.stringify(result.failures)}`);
  }
}

// A real clock: the stage's throttle (200 rps, burst 400) refills on it.
export const run = (): Promise<BenchRow[]> => onRealClockCloud(measure);

interface Window {
  readonly p50: number;
  readonly p99: number;
  /** Local cloud CPU time per request. */
  readonly cpuMs: number;
}

interface SteadyLoad {
  readonly rate: number;
  /** Latencies of the first COLD_SECONDS of the ramp. */
  readonly cold: number[];
  /** Requests sent in all: ramp, warm-up and measurement. */
  readonly sent: number;
  readonly windows: Window[];
  /** Measured requests answered other than 200, by status (0: no answer). */
  readonly failures: Record<string, number>;
}

/** The measurements, on a running local cloud with the app deployed. */
export async function measure(test: TestCloud): Promise<BenchRow[]> {
  const generator = startLoadGenerator();
  let conversationTurns = 0;
  const stopCounting = test.cloud.services.lambda.onInvocation((record) => {
    if (record.functionName.includes('Conversation')) conversationTurns += 1;
  });
  /** Ramps up to the rate, warms up at it, then measures WINDOWS windows. */
  const steady = async (request: LoadRequest, rate: number, warmupSeconds: number): Promise<SteadyLoad> => {
    const ramp = await generator.run(request, {
      mode: 'open',
      rate: rate / 10,
      toRate: rate,
      seconds: RAMP_SECONDS,
    });
    const warmup = await generator.run(request, { mode: 'open', rate, seconds: warmupSeconds });
    const windows: Window[] = [];
    const failures: Record<string, number> = {};
    let sent = ramp.latencies.length + warmup.latencies.length;
    for (let window = 0; window < WINDOWS; window++) {
      const cpuBefore = process.cpuUsage();
      const result = await generator.run(request, { mode: 'open', rate, seconds: SECONDS });
      const cpu = process.cpuUsage(cpuBefore);
      sent += result.latencies.length;
      for (const [status, count] of Object.entries(result.failures)) {
        failures[status] = (failures[status] ?? 0) + count;
      }
      windows.push({
        p50: percentile(result.latencies, 0.5),
        p99: percentile(result.latencies, 0.99),
        cpuMs: (cpu.user + cpu.system) / 1000 / result.latencies.length,
      });
    }
    return {
      rate,
      cold: ramp.latencies.filter((_, index) => (ramp.sentAtMs[index] ?? 0) < COLD_SECONDS * 1000),
      sent,
      windows,
      failures,
    };
  };
  const webhook = (items: number, itemKind: ItemKind): LoadRequest => ({
    kind: 'delivery',
    url: `${test.cloud.apiUrl}/webhook`,
    appSecret: APP_SECRET,
    items,
    itemKind,
  });
  try {
    const health = await steady(
      { kind: 'get', url: `${test.cloud.apiUrl}/health` },
      RATE,
      HEALTH_WARMUP_SECONDS,
    );
    const receipts = await steady(webhook(1, 'read'), RATE, WARMUP_SECONDS);

    const burst = await generator.run(webhook(ITEMS_PER_DELIVERY, 'read'), {
      mode: 'burst',
      count: BURST_DELIVERIES,
    });
    assertAllAnswered('burst', burst);
    const { endpoint, region } = test.clientConfig;
    const direct = await generator.run(
      { kind: 'putEvents', endpoint, region, busName: 'aurora-dev', entries: ITEMS_PER_DELIVERY },
      { mode: 'burst', count: BURST_DELIVERIES },
    );
    assertAllAnswered('direct PutEvents', direct);

    // Last, because the conversation turns it starts keep the machine busy after the acks.
    const turnsBefore = conversationTurns;
    const chat = await steady(webhook(1, 'conversation'), CHAT_RATE, WARMUP_SECONDS);
    const sentMessages = Math.ceil(chat.sent / 3);
    const drainStarted = performance.now();
    while (
      conversationTurns - turnsBefore < sentMessages &&
      performance.now() - drainStarted < DRAIN_TIMEOUT_MS
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const healthP50 = median(health.windows.map((window) => window.p50));
    const healthP99 = median(health.windows.map((window) => window.p99));
    const healthCpu = median(health.windows.map((window) => window.cpuMs));
    const latencyRows = (label: string, load: SteadyLoad, hasTarget: boolean): BenchRow[] => {
      const p99s = load.windows.map((window) => window.p99);
      const p50 = median(load.windows.map((window) => window.p50));
      const p99 = median(p99s);
      const cpuMs = median(load.windows.map((window) => window.cpuMs));
      const failed = Object.values(load.failures).reduce((sum, count) => sum + count, 0);
      const answered = failed === 0 ? '' : `, ${failed} answered ${JSON.stringify(load.failures)}`;
      const windows = `median of ${WINDOWS} windows of ${SECONDS} s`;
      return [
        {
          name: `webhook ack p50 at ${load.rate} req/s, ${label}`,
          value: `${ms(p50)} (${windows})`,
          baseline: `GET /health at ${RATE} req/s: ${ms(healthP50)}`,
          ratio: `${(p50 / healthP50).toFixed(2)}x`,
        },
        {
          name: `webhook ack p99 at ${load.rate} req/s, ${label}`,
          value: `${ms(p99)} (${windows}; ${ms(Math.min(...p99s))} to ${ms(Math.max(...p99s))}${answered})`,
          baseline: `GET /health at ${RATE} req/s: ${ms(healthP99)}`,
          ratio: `${(p99 / healthP99).toFixed(2)}x`,
          ...(hasTarget
            ? {
                target: `p99 < ${TARGET_P99_MS} ms, all answered 200`,
                met: p99 < TARGET_P99_MS && failed === 0,
              }
            : {}),
        },
        {
          name: `webhook ack p50 / p99 in the first ${COLD_SECONDS} s after deploy (ramping up from ${load.rate / 10} req/s), ${label}`,
          value: `${ms(percentile(load.cold, 0.5))} / ${ms(percentile(load.cold, 0.99))}`,
          baseline: `warm: ${ms(p50)} / ${ms(p99)}`,
        },
        {
          name: `local cloud CPU per request, ${label}`,
          value: ms(cpuMs),
          baseline: `GET /health: ${ms(healthCpu)}`,
          ratio: `${(cpuMs / healthCpu).toFixed(2)}x`,
        },
      ];
    };
    return [
      ...latencyRows('read receipts (webhook alone)', receipts, true),
      ...latencyRows('a chat (message, delivery, read: 1 in 3 starts a conversation turn)', chat, false),
      {
        name: `events published through the webhook (${ITEMS_PER_DELIVERY} per delivery)`,
        value: perSecond(BURST_DELIVERIES * ITEMS_PER_DELIVERY, burst.elapsedMs),
        baseline: `PutEvents from the SDK: ${perSecond(BURST_DELIVERIES * ITEMS_PER_DELIVERY, direct.elapsedMs)}`,
        ratio: `${(direct.elapsedMs / burst.elapsedMs).toFixed(2)}x`,
      },
      {
        name: 'conversation turns completed after the chat load',
        value: `${conversationTurns - turnsBefore} of ${sentMessages}`,
      },
    ];
  } finally {
    stopCounting();
    generator.stop();
  }
}
