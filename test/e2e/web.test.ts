/**
 * The web app's hosting in the local cloud, over a tiny fake build (no Vite): its URL, config.json naming
 * the local API, the API's CORS for the web origin, and the web stack's AWS-only resources skipped.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCloud, type TestCloud } from '../support/local-cloud';
import { preflight } from '../support/preflight';

let dist: string;
let test: TestCloud;
let webUrl: string;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'aurora-web-e2e-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Aurora Time</title>');
  writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'export {}');
  test = await startTestCloud({ config: { web: true }, webRoot: dist });
  webUrl = test.cloud.webUrl ?? '';
});

afterAll(async () => {
  await test?.stop();
  rmSync(dist, { recursive: true, force: true });
});

describe('the local web app', () => {
  it('is served on its own port, with config.json naming the local API', async () => {
    expect(webUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(test.cloud.webApp).toMatchObject({ status: 'given', url: webUrl, directory: dist });
    const shell = await fetch(`${webUrl}/week`);
    expect(shell.status).toBe(200);
    expect(await shell.text()).toContain('<title>Aurora Time</title>');
    expect(shell.headers.get('content-security-policy')).toContain(`connect-src 'self' ${test.cloud.apiUrl}`);
    expect(await (await fetch(`${webUrl}/config.json`)).json()).toEqual({ apiUrl: test.cloud.apiUrl });
    expect((await fetch(`${webUrl}/assets/gone.js`)).status).toBe(404);
  });

  it("is allowed by the API's CORS: preflights for its methods and headers, exposed response headers", async () => {
    const allowed = await preflight(`${test.cloud.apiUrl}/events/01J0000000000000000000000`, {
      origin: webUrl,
      method: 'PATCH',
      headers: 'authorization,content-type,if-match,idempotency-key',
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(webUrl);
    expect(allowed.headers.get('access-control-allow-methods')?.split(',')).toEqual(
      expect.arrayContaining(['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS']),
    );
    expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase().split(',')).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'if-match', 'idempotency-key']),
    );
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();

    const health = await fetch(`${test.cloud.apiUrl}/health`, { headers: { origin: webUrl } });
    expect(health.headers.get('access-control-allow-origin')).toBe(webUrl);
    expect(health.headers.get('access-control-expose-headers')?.split(',')).toEqual(
      expect.arrayContaining(['ETag', 'Location', 'Retry-After']),
    );
    // The configured dev origins stay allowed; any other origin is not.
    const dev = await fetch(`${test.cloud.apiUrl}/health`, { headers: { origin: 'http://localhost:5173' } });
    expect(dev.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const foreign = await fetch(`${test.cloud.apiUrl}/health`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("skips the web stack's S3, CloudFront and BucketDeployment resources without failing the deploy", () => {
    const skipped = test.cloud.deployment.skipped.filter((entry) => entry.stackName.endsWith('-Web'));
    const types = skipped.map((entry) => entry.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'AWS::S3::Bucket',
        'AWS::S3::BucketPolicy',
        'AWS::CloudFront::Distribution',
        'AWS::CloudFront::OriginAccessControl',
        'AWS::CloudFront::ResponseHeadersPolicy',
        'AWS::CloudFront::Function',
        'Custom::CDKBucketDeployment',
        'AWS::Lambda::Function',
      ]),
    );
    expect(skipped.find((entry) => entry.type === 'AWS::Lambda::Function')?.reason).toMatch(
      /^python3\.\d+ functions do not run locally$/,
    );
    const functions = test.cloud.deployment.resources
      .filter((resource) => resource.type === 'AWS::Lambda::Function')
      .map((resource) => resource.identity.ref);
    expect(functions.filter((name) => name.includes('CDKBucketDeployment'))).toHaveLength(1);
    expect(() =>
      test.cloud.services.lambda.describe(
        functions.find((name) => name.includes('CDKBucketDeployment')) ?? '',
      ),
    ).toThrow();
  });
});
