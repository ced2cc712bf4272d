/**
 * The local API Gateway: serves the template's REST and HTTP APIs on one HTTP port, calling Lambda through
 * the `invoke` port. How a request finds its API and stage is described in ./addressing.ts; what happens
 * to it then in ./gateway.ts. Bodies over 10 MB are refused with 413, as API Gateway does.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Clock } from '../clock';
import { readBody } from '../edge/request-body';
import type { LocalAccount } from '../shared/ports';
import { candidatesFor, type ServedApi } from './addressing';
import type { InvokePort } from './authorizers';
import type { GatewayRequest } from './events';
import { Gateway } from './gateway';
import type { ApiModel } from './model';
import { gatewayError, type HttpResponse } from './responses';
import { RouteTable } from './routing';

export type { InvokePort } from './authorizers';

export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

export interface ApiGatewayOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly host?: string;
  readonly apis: readonly ApiModel[];
  readonly invoke: InvokePort;
  readonly clock?: Clock;
  readonly account?: LocalAccount;
  /** Where integration and authorizer failures are reported (the client only sees a 5xx); default stderr. */
  readonly log?: (line: string) => void;
}

export interface RunningApiGateway {
  readonly url: string;
  readonly port: number;
  /** Replaces the served APIs (after a redeploy); throttling buckets and authorizer caches are kept. */
  setApis(apis: readonly ApiModel[]): void;
  /** The URL of an API's stage: `/restapis/{id}/{stage}/_user_request_` (works whatever else is served). */
  stageUrl(apiId: string, stage: string): string;
  close(): Promise<void>;
}

function serve(apis: readonly ApiModel[]): ServedApi[] {
  return apis.map((model) => ({ model, routes: new RouteTable(model.routes) }));
}

export async function startApiGateway(options: ApiGatewayOptions): Promise<RunningApiGateway> {
  const clock = options.clock ?? new Clock();
  const gateway = new Gateway({
    clock,
    invoke: options.invoke,
    account: options.account ?? { region: 'us-east-1', accountId: '000000000000' },
    log: options.log ?? ((line) => console.error(`[apigateway] ${line}`)),
  });
  let served = serve(options.apis);

  const server = createServer((incoming, outgoing) => {
    handle(incoming, outgoing).catch((error: unknown) => {
      console.error('[apigateway] unexpected failure', error);
      if (!outgoing.headersSent) write(outgoing, gatewayError('INVOKE_FAILED', 'http'));
      else outgoing.destroy();
    });
  });

  async function handle(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const url = incoming.url ?? '/';
    const queryStart = url.indexOf('?');
    const rawPath = queryStart === -1 ? url : url.slice(0, queryStart);
    const host = incoming.headers.host ?? 'localhost';
    const candidates = candidatesFor(served, host, rawPath);
    const body = await readBody(incoming, MAX_REQUEST_BYTES);
    if (body === 'too-large') {
      write(outgoing, gatewayError('TOO_LARGE', candidates[0]?.api.model.kind ?? 'http'));
      return;
    }
    const kind = candidates[0]?.api.model.kind ?? 'http';
    const request: GatewayRequest = {
      requestId: kind === 'rest' ? randomUUID() : randomBytes(11).toString('base64'),
      method: (incoming.method ?? 'GET').toUpperCase(),
      rawPath,
      rawQueryString: queryStart === -1 ? '' : url.slice(queryStart + 1),
      headerPairs: headerPairs(incoming.rawHeaders),
      body,
      sourceIp: (incoming.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      timeEpoch: clock.now(),
      domainName: host,
    };
    const response = await gateway.handle(request, candidates);
    const idHeaders: [string, string][] =
      kind === 'rest'
        ? [
            ['x-amzn-RequestId', request.requestId],
            ['x-amz-apigw-id', randomBytes(6).toString('base64')],
          ]
        : [['Apigw-Requestid', request.requestId]];
    write(outgoing, { ...response, headers: [...response.headers, ...idHeaders] });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;

  return {
    url,
    port,
    setApis(apis) {
      served = serve(apis);
    },
    stageUrl(apiId, stage) {
      return `${url}/restapis/${apiId}/${encodeURIComponent(stage)}/_user_request_`;
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function headerPairs(rawHeaders: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = rawHeaders[index];
    const value = rawHeaders[index + 1];
    if (name !== undefined && value !== undefined) pairs.push([name, value]);
  }
  return pairs;
}

function write(outgoing: ServerResponse, response: HttpResponse): void {
  const headers = response.headers.filter(
    ([name]) => !/^(content-length|transfer-encoding|connection)$/i.test(name),
  );
  outgoing.writeHead(response.statusCode, [
    ...headers.flat(),
    'Content-Length',
    String(response.body.length),
  ]);
  outgoing.end(response.body);
}
