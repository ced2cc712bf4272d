/**
 * Issue 12: the edge is not open to every web page. The `/_aurora` control plane (SES inbox, clock, secrets,
 * consoles) answers only the local consoles' and web app's origins and refuses any other before it acts; a
 * Host that is not this edge's (DNS rebinding) is refused on every path; SDK clients keep working.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEdge } from '../../infra/local/edge/server';
import { startBareTestCloud, type TestCloud } from '../support/local-cloud';
import { preflight } from '../support/preflight';

const EVIL = 'https://evil.example';
const signedFor = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=test/20261203/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;

let dist: string;
let test: TestCloud;
let edgeUrl: string;
let webUrl: string;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'aurora-edge-origins-'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Aurora Time</title>');
  test = await startBareTestCloud({ config: { web: true }, webRoot: dist });
  edgeUrl = test.cloud.edgeUrl;
  webUrl = test.cloud.webUrl ?? '';
});

afterAll(async () => {
  await test?.stop();
  rmSync(dist, { recursive: true, force: true });
});

interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A request with a Host header of our choosing, which fetch does not let a caller set. */
function withHost(
  host: string,
  path: string,
  headers: Record<string, string> = {},
  target = edgeUrl,
): Promise<RawAnswer> {
  const { hostname, port } = new URL(target);
  return new Promise((resolve, reject) => {
    const outgoing = request({ hostname, port, path, headers: { ...headers, host } }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () =>
        resolve({
          status: incoming.statusCode ?? 0,
          headers: incoming.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

const clockNow = async (): Promise<string> =>
  ((await (await fetch(`${edgeUrl}/_aurora/clock`)).json()) as { now: string }).now;

/** The simple POST any page can send without a preflight. */
const advanceClockFrom = (origin: string) =>
  fetch(`${edgeUrl}/_aurora/clock`, {
    method: 'POST',
    headers: { origin, 'content-type': 'text/plain' },
    body: JSON.stringify({ advanceBy: 'PT1H' }),
  });

describe('the control plane from another origin', () => {
  it('does not let another site read the SES inbox', async () => {
    const response = await fetch(`${edgeUrl}/_aurora/ses/messages`, { headers: { origin: EVIL } });
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(await response.text()).not.toContain('[');
  });

  it('refuses a simple cross-site POST to the clock before it moves the clock', async () => {
    const before = await clockNow();
    for (const origin of [EVIL, 'null', 'http://localhost:1']) {
      expect((await advanceClockFrom(origin)).status).toBe(403);
    }
    expect(await clockNow()).toBe(before);
  });

  it('refuses another site’s preflight', async () => {
    const refused = await preflight(`${edgeUrl}/_aurora/clock`, { origin: EVIL, method: 'POST' });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('the control plane from the local consoles and the web app', () => {
  it('answers the web app’s origin, by either loopback name, with CORS for it alone', async () => {
    for (const origin of [webUrl, webUrl.replace('//127.0.0.1:', '//localhost:')]) {
      const response = await fetch(`${edgeUrl}/_aurora/ses/messages`, { headers: { origin } });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('vary')).toBe('Origin');
      expect(await response.json()).toEqual([]);
    }
  });

  it('lets the web app preflight and move the clock', async () => {
    const allowed = await preflight(`${edgeUrl}/_aurora/clock`, {
      origin: webUrl,
      method: 'POST',
      headers: 'content-type',
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(webUrl);
    expect(allowed.headers.get('access-control-allow-headers')).toBe('content-type');

    const before = Date.parse(await clockNow());
    const moved = await advanceClockFrom(webUrl);
    expect(moved.status).toBe(200);
    expect(Date.parse(((await moved.json()) as { now: string }).now)).toBe(before + 3_600_000);
  });

  it('lets a console page post to its own edge', async () => {
    expect((await advanceClockFrom(edgeUrl)).status).toBe(200);
    expect((await advanceClockFrom(edgeUrl.replace('//127.0.0.1:', '//localhost:'))).status).toBe(200);
  });
});

describe('the Host header (DNS rebinding)', () => {
  it('refuses a Host that does not name this edge, on the control plane and the AWS API paths', async () => {
    const { port } = new URL(edgeUrl);
    for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1:${Number(port) + 1}`]) {
      const inbox = await withHost(host, '/_aurora/ses/messages');
      expect(inbox.status).toBe(403);
      expect(inbox.body).not.toContain('[]');
      expect((await withHost(host, '/')).status).toBe(403);
    }
  });

  it('answers every loopback name with the edge’s port, and S3’s virtual-hosted <bucket>.localhost', async () => {
    const { port } = new URL(edgeUrl);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `LocalHost:${port}`]) {
      expect((await withHost(host, '/_aurora/ses/messages')).status).toBe(200);
    }
    const bucket = await withHost(`no-such-bucket.localhost:${port}`, '/report.csv', {
      authorization: signedFor('s3'),
    });
    expect(bucket.status).toBe(404);
    expect(bucket.body).toContain('NoSuchBucket');
  });
});

describe('the AWS API paths', () => {
  it('keep answering SDK clients and SDKs in pages of this machine, and refuse other sites', async () => {
    const sqs = new SQSClient(test.clientConfig);
    const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
    sqs.destroy();
    expect(QueueUrls).toEqual([]);

    const local = 'http://localhost:8080';
    const allowed = await preflight(`${edgeUrl}/`, {
      origin: local,
      method: 'POST',
      headers: 'authorization,x-amz-target',
    });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(local);
    const call = (origin: string) =>
      fetch(`${edgeUrl}/`, {
        method: 'POST',
        headers: {
          origin,
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'AmazonSQS.ListQueues',
          authorization: signedFor('sqs'),
        },
        body: '{}',
      });
    const signed = await call(local);
    expect(signed.status).toBe(200);
    expect(signed.headers.get('access-control-allow-origin')).toBe(local);
    // Signatures are not checked here: another site could otherwise read the secrets.
    const foreign = await call(EVIL);
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serve an HTML object sandboxed, so a page put in S3 by any site is not the console’s origin', async () => {
    const s3 = new S3Client({ ...test.clientConfig, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'pages' }));
    await s3.send(
      new PutObjectCommand({
        Bucket: 'pages',
        Key: 'move-the-clock.html',
        Body: '<script>fetch("/_aurora/clock", {method: "POST", body: "{}"})</script>',
        ContentType: 'text/html',
      }),
    );
    s3.destroy();
    // As a presigned URL would serve it: the local edge checks no signature, so any page could make one up.
    const page = await fetch(`${edgeUrl}/pages/move-the-clock.html`, {
      headers: { authorization: signedFor('s3') },
    });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html');
    expect(page.headers.get('content-security-policy')).toBe('sandbox');
    const console = await fetch(`${edgeUrl}/_aurora/console`);
    expect(console.headers.get('content-security-policy')).not.toBe('sandbox');
  });
});

describe('an edge started on every interface on purpose (host 0.0.0.0)', () => {
  it('answers this machine’s addresses in the Host, but still no other DNS name', async () => {
    const edge = await startEdge({
      port: 0,
      host: '0.0.0.0',
      account: { region: 'us-east-1', accountId: '000000000000' },
      services: [
        {
          protocol: 'http',
          pathPrefixes: ['/_aurora/ping'],
          handle: (_, response) => void response.end('pong'),
        },
      ],
    });
    try {
      const target = `http://127.0.0.1:${edge.port}`;
      for (const host of [
        `192.0.2.10:${edge.port}`,
        `[2001:db8::1]:${edge.port}`,
        `localhost:${edge.port}`,
      ]) {
        expect((await withHost(host, '/_aurora/ping', {}, target)).body).toBe('pong');
      }
      expect((await withHost(`rebound.evil.example:${edge.port}`, '/_aurora/ping', {}, target)).status).toBe(
        403,
      );
    } finally {
      await edge.close();
    }
  });
});
