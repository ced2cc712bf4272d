/**
 * The local stand-in for the web stack (S3 + CloudFront): serves a build of the single-page app and a
 * generated /config.json naming the local API, routing paths as the CloudFront Function does and sending
 * the response headers policy's security headers (both from infra/constructs/web-app.ts).
 */
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, relative, resolve, sep } from 'node:path';
import {
  ASSETS_PREFIX,
  IMMUTABLE_CACHE_CONTROL,
  isAppRoute,
  SHELL_CACHE_CONTROL,
  securityHeaders,
} from '../../constructs/web-app';

export interface WebServerOptions {
  readonly port: number;
  readonly host: string;
  /** The API base URL written into /config.json and allowed by the CSP's connect-src. */
  readonly apiUrl: string;
}

/** What the server answers with: a build folder, or why there is none (yet). */
export type WebContent =
  | { readonly kind: 'build'; readonly directory: string }
  | { readonly kind: 'unavailable'; readonly reason: string };

export interface RunningWebServer {
  readonly url: string;
  /** Switches what is served: the build once it is ready, or the reason it is not. */
  setContent(content: WebContent): void;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
};

export const contentTypeOf = (path: string): string =>
  CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';

export async function startWebServer(
  options: WebServerOptions,
  initial: WebContent = { kind: 'unavailable', reason: 'the web app is still building' },
): Promise<RunningWebServer> {
  let content = initial;
  const headers = securityHeaders(options.apiUrl);
  const config = Buffer.from(`${JSON.stringify({ apiUrl: options.apiUrl })}\n`);

  const send = (
    request: IncomingMessage,
    response: ServerResponse,
    status: number,
    type: string,
    body: Buffer,
    extra: Record<string, string> = {},
  ) => {
    response.writeHead(status, {
      ...headers,
      'Content-Type': type,
      'Content-Length': String(body.length),
      ...extra,
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  };
  const text = (message: string) => Buffer.from(`${message}\n`);

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(request, response, 405, 'text/plain; charset=utf-8', text('Method Not Allowed'), {
        Allow: 'GET, HEAD',
      });
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://web.local').pathname);
    } catch {
      send(request, response, 400, 'text/plain; charset=utf-8', text('Bad Request'));
      return;
    }
    if (pathname === '/config.json') {
      send(request, response, 200, CONTENT_TYPES['.json'] as string, config, {
        'Cache-Control': SHELL_CACHE_CONTROL,
      });
      return;
    }
    if (content.kind === 'unavailable') {
      send(
        request,
        response,
        503,
        'text/plain; charset=utf-8',
        text(`Web app not available: ${content.reason}`),
        {
          'Retry-After': '5',
        },
      );
      return;
    }
    const key = isAppRoute(pathname) ? 'index.html' : pathname.replace(/^\/+/, '');
    const file = fileInside(content.directory, key);
    const body = file && (await readIfFile(file));
    if (!body) {
      send(request, response, 404, 'text/plain; charset=utf-8', text('Not Found'));
      return;
    }
    send(request, response, 200, contentTypeOf(key), body, {
      'Cache-Control': key.startsWith(ASSETS_PREFIX) ? IMMUTABLE_CACHE_CONTROL : SHELL_CACHE_CONTROL,
    });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        send(request, response, 500, 'text/plain; charset=utf-8', text((error as Error).message));
      } else response.destroy();
    });
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    setContent: (next) => {
      content = next;
    },
    close: () =>
      new Promise<void>((resolvePromise) => {
        server.close(() => resolvePromise());
        server.closeAllConnections();
      }),
  };
}

/** The file for an object key, or undefined when the key climbs out of the build folder. */
function fileInside(directory: string, key: string): string | undefined {
  const root = resolve(directory);
  const file = resolve(join(root, key));
  const inside = relative(root, file);
  return inside === '' || inside.startsWith(`..${sep}`) || inside === '..' ? undefined : file;
}

async function readIfFile(file: string): Promise<Buffer | undefined> {
  try {
    return (await stat(file)).isFile() ? await readFile(file) : undefined;
  } catch {
    return undefined;
  }
}
