import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../../../../../infra/local/clock';
import { type ControlState, controlService } from '../../../../../infra/local/control/service';

const start = Date.parse('2026-11-22T09:00:00.000Z');
const clock = new Clock('manual', start);
const state: ControlState = { ready: false, services: { dynamodb: 'starting' }, resources: { deployed: [] } };
let server: Server;
let url: string;

beforeAll(async () => {
  const service = controlService(clock, state);
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => void service.handle(request, response, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const post = (body: string) => fetch(`${url}/_aurora/clock`, { method: 'POST', body });

describe('/_aurora control endpoints', () => {
  it('reads and moves the clock', async () => {
    expect(await (await fetch(`${url}/_aurora/clock`)).json()).toEqual({
      now: '2026-11-22T09:00:00.000Z',
      mode: 'manual',
    });
    expect(await (await post('{"advanceBy":"PT15M"}')).json()).toMatchObject({
      now: '2026-11-22T09:15:00.000Z',
    });
    expect(await (await post('{"set":"2026-11-25T00:00:00Z"}')).json()).toMatchObject({
      now: '2026-11-25T00:00:00.000Z',
    });
  });

  it('answers 400 naming the problem, and leaves the clock where it was', async () => {
    const before = clock.now();
    for (const [body, problem] of [
      ['not json', /Body must be JSON/],
      ['{"advanceBy":"15 minutes"}', /not an ISO-8601 duration/],
      ['{"set":"yesterday"}', /not an ISO-8601 instant/],
      ['{"set":"2020-01-01T00:00:00Z"}', /only moves forward/],
      ['{"advanceBy":"PT1M","set":"2030-01-01T00:00:00Z"}', /exactly one of/],
      ['{"advanceBy":"P99999999D"}', /cannot pass 9999-12-31T23:59:59.999Z/],
    ] as const) {
      const response = await post(body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { message: string }).message).toMatch(problem);
    }
    expect(clock.now()).toBe(before);
  });

  it('answers 503 on health until every service is ready, then 200', async () => {
    expect((await fetch(`${url}/_aurora/health`)).status).toBe(503);
    state.ready = true;
    state.services.dynamodb = 'ready';
    const health = await fetch(`${url}/_aurora/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ready: true, services: { dynamodb: 'ready' } });
  });

  it('answers 404 for an unknown endpoint', async () => {
    expect((await fetch(`${url}/_aurora/nothing`)).status).toBe(404);
  });
});
