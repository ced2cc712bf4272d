/** The local web server over a tiny fake build: SPA routing, config.json, content types, security headers. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityHeaders } from '../../../../../infra/constructs/web-app';
import { type RunningWebServer, startWebServer } from '../../../../../infra/local/web/server';

const API_URL = 'http://127.0.0.1:3999';
const INDEX =
  '<!doctype html><title>shell</title><script type="module" src="/assets/index-abc123.js"></script>';

let dist: string;
let web: RunningWebServer;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'aurora-web-dist-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), INDEX);
  writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log("app")');
  writeFileSync(join(dist, 'assets', 'index-def456.css'), 'body{}');
  writeFileSync(join(dist, 'robots.txt'), 'User-agent: *');
  // A build's own config.json (a dev leftover) never wins over the generated one.
  writeFileSync(join(dist, 'config.json'), '{"apiUrl":"http://stale.example"}');
  web = await startWebServer(
    { port: 0, host: '127.0.0.1', apiUrl: API_URL },
    { kind: 'build', directory: dist },
  );
});

afterAll(async () => {
  await web?.close();
  rmSync(dist, { recursive: true, force: true });
});

const get = (path: string, init?: RequestInit) => fetch(`${web.url}${path}`, init);

const expectSecurityHeaders = (response: Response) => {
  for (const [name, value] of Object.entries(securityHeaders(API_URL))) {
    expect(response.headers.get(name), name).toBe(value);
  }
};

describe('the local web server', () => {
  it('answers app routes (no file extension) with the shell', async () => {
    for (const path of ['/', '/week', '/events/42', '/settings/']) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toBe(INDEX);
    }
  });

  it('serves /config.json naming the API, whatever the build holds', async () => {
    const response = await get('/config.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual({ apiUrl: API_URL });
  });

  it('serves files with their content types, hashed assets cached for a year', async () => {
    const script = await get('/assets/index-abc123.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await script.text()).toBe('console.log("app")');
    expect((await get('/assets/index-def456.css')).headers.get('content-type')).toBe(
      'text/css; charset=utf-8',
    );
    const robots = await get('/robots.txt');
    expect(robots.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(robots.headers.get('cache-control')).toBe('no-cache');
  });

  it('is a 404, not the shell, for a missing file with an extension', async () => {
    for (const path of ['/assets/index-old999.js', '/favicon.ico', '/week.json']) {
      const response = await get(path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    }
  });

  it('sends the security headers on every response, with the API in the CSP connect-src', async () => {
    for (const path of ['/week', '/config.json', '/assets/index-abc123.js', '/missing.js']) {
      expectSecurityHeaders(await get(path));
    }
    const csp = (await get('/')).headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`connect-src 'self' ${API_URL}`);
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('answers HEAD like GET without a body, and refuses other methods', async () => {
    const head = await get('/week', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(INDEX)));
    expect(await head.text()).toBe('');
    const post = await get('/week', { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expectSecurityHeaders(post);
  });

  it('never serves a file outside the build', async () => {
    const raw = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const url = new URL(web.url);
        request({ host: url.hostname, port: url.port, path, method: 'GET' }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
    expect(await raw('/..%2F..%2F..%2Fetc%2Fpasswd.txt')).toBe(404);
    expect(await raw('/assets/..%2F..%2Fpackage.json')).toBe(404);
    expect(await raw('/%E0%A4%A')).toBe(400);
  });

  it('says why while there is no build, and serves it once there is', async () => {
    web.setContent({ kind: 'unavailable', reason: 'web/ does not exist yet' });
    const waiting = await get('/week');
    expect(waiting.status).toBe(503);
    expect(await waiting.text()).toContain('web/ does not exist yet');
    expect((await get('/config.json')).status).toBe(200);
    web.setContent({ kind: 'build', directory: dist });
    expect((await get('/week')).status).toBe(200);
  });
});
