/**
 * The edge endpoint: one HTTP server that speaks the AWS wire protocols, so unmodified SDK clients reach every
 * local service with only the endpoint changed. Routing, in order: an HttpService path prefix; the
 * X-Amz-Target header (awsJson); the SigV4 credential scope's service name (restJson1, query, http).
 * Signatures are not verified: this is a local, single-user cloud; what a browser page may reach is decided
 * first (access.ts): a Host that is not this edge's, or another site's request to the control plane, is 403.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalAccount } from '../shared/ports';
import { allowAwsApiCors, allowControlPlaneCors, CONTROL_PLANE_PREFIX, EdgeAccess } from './access';
import {
  AwsServiceError,
  type EdgeService,
  type HttpService,
  type JsonProtocolService,
  type QueryProtocolService,
  type RequestContext,
  type RestJsonService,
} from './contracts';
import { requestedService, sendNotEmulated } from './not-emulated';
import {
  internalFailure,
  sendJsonError,
  sendJsonResult,
  sendQueryError,
  sendQueryResult,
  sendRestError,
  sendRestResult,
} from './protocols';
import { readBody } from './request-body';
import { type CompiledRoute, compileRoute, credentialScope, matchRoute } from './routing';

export interface EdgeRequestLog {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  /** Signing name, target prefix or path prefix of the service that answered; undefined when none did. */
  readonly service: string | undefined;
  readonly operation: string | undefined;
  readonly status: number;
  readonly durationMs: number;
}

export interface EdgeOptions {
  /** 0 picks any free port. */
  readonly port: number;
  /** Defaults to 127.0.0.1. */
  readonly host?: string;
  readonly services: readonly EdgeService[];
  readonly account: LocalAccount;
  readonly onRequest?: (entry: EdgeRequestLog) => void;
  /** Where unexpected exceptions are reported; defaults to console.error. */
  readonly logError?: (message: string, error: unknown) => void;
}

export interface Edge {
  readonly url: string;
  readonly port: number;
  /** Adds a service after start (e.g. the lead's `/_aurora/*` endpoints); the latest registration wins. */
  register(service: EdgeService): void;
  /** Lets pages at these URLs (e.g. the local web app) use the `/_aurora` control plane from a browser. */
  allowOrigins(urls: readonly string[]): void;
  close(): Promise<void>;
}

type SignedService =
  | { readonly kind: 'json'; readonly service: JsonProtocolService }
  | { readonly kind: 'rest'; readonly service: RestJsonService; readonly routes: readonly CompiledRoute[] }
  | { readonly kind: 'query'; readonly service: QueryProtocolService }
  | { readonly kind: 'http'; readonly service: HttpService };

/** What a dispatcher reports for the request log. */
interface Handled {
  service: string | undefined;
  operation: string | undefined;
}

/** One request in flight: what was asked, where to answer, and what the request log will say. */
interface Exchange {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly path: string;
  readonly query: string;
  readonly body: Buffer;
  readonly requestId: string;
  readonly handled: Handled;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

export class EdgeRouter {
  private prefixes: { readonly prefix: string; readonly service: HttpService }[] = [];
  private readonly byTarget = new Map<string, JsonProtocolService>();
  private readonly bySigningName = new Map<string, SignedService>();

  constructor(
    private readonly account: LocalAccount,
    private readonly access: EdgeAccess,
    private readonly logError: (message: string, error: unknown) => void = console.error,
  ) {}

  register(service: EdgeService): void {
    switch (service.protocol) {
      case 'http':
        for (const prefix of service.pathPrefixes ?? []) {
          this.prefixes = [...this.prefixes.filter((entry) => entry.prefix !== prefix), { prefix, service }];
        }
        // Longest prefix first, so `/_aurora/ses/` wins over `/_aurora/`.
        this.prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
        if (service.signingName) this.bySigningName.set(service.signingName, { kind: 'http', service });
        return;
      case 'restJson1':
        this.bySigningName.set(service.signingName, {
          kind: 'rest',
          service,
          routes: service.routes.map(compileRoute),
        });
        return;
      case 'query':
        this.bySigningName.set(service.signingName, { kind: 'query', service });
        return;
      default:
        this.byTarget.set(service.targetPrefix, service);
        // A JSON service is found by its target; its signing name only routes when nothing else claims it
        // (SQS answers its older query clients under the same name).
        if (!this.bySigningName.has(service.signingName)) {
          this.bySigningName.set(service.signingName, { kind: 'json', service });
        }
    }
  }

  /** Answers one request; never rejects. */
  async handle(request: IncomingMessage, response: ServerResponse): Promise<Handled> {
    const requestId = randomUUID();
    response.setHeader('x-amzn-RequestId', requestId);
    response.setHeader('x-amz-request-id', requestId);
    const url = request.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    const query = queryStart === -1 ? '' : url.slice(queryStart + 1);
    const handled: Handled = { service: undefined, operation: undefined };
    try {
      // Read first even when refused: a client still sending would see a reset, not the 403.
      const body = await readBody(request, MAX_BODY_BYTES);
      if (body === 'too-large') throw new BodyTooLarge();
      if (this.answeredByAccess(request, response, path)) return handled;
      await this.route({ request, response, path, query, body, requestId, handled });
    } catch (error) {
      if (error instanceof BodyTooLarge) this.refuseBody(request, response, error, query, requestId);
      else if (!response.headersSent) sendRestError(response, this.asServiceError(error, requestId));
    }
    return handled;
  }

  /** Applies the access policy and CORS; true when that answered the request (a refusal, a preflight). */
  private answeredByAccess(request: IncomingMessage, response: ServerResponse, path: string): boolean {
    const access = this.access.check(request, path);
    if (!access.allowed) {
      sendRestError(response, new AwsServiceError('Forbidden', access.reason, 403));
      return true;
    }
    if (!path.startsWith(CONTROL_PLANE_PREFIX)) {
      // What the AWS API paths serve (an S3 object, say) is never a page with the edge's origin: sandboxed,
      // an HTML object put there by any page gets an opaque origin, and so no say over the control plane.
      response.setHeader('Content-Security-Policy', 'sandbox');
      if (access.corsOrigin !== undefined) allowAwsApiCors(request, response, access.corsOrigin);
      return false;
    }
    if (access.corsOrigin === undefined) return false;
    allowControlPlaneCors(request, response, access.corsOrigin);
    if (request.method !== 'OPTIONS') return false;
    response.statusCode = 204;
    response.end();
    return true;
  }

  /** By path prefix, then X-Amz-Target, then the SigV4 signing name. */
  private async route(exchange: Exchange): Promise<void> {
    const { request, response, path, query, body, requestId, handled } = exchange;
    const prefixed = this.prefixes.find((entry) => path.startsWith(entry.prefix));
    if (prefixed) {
      handled.service = prefixed.prefix;
      await prefixed.service.handle(request, response, body);
      return;
    }
    if (request.method === 'OPTIONS') {
      response.statusCode = 200;
      response.end();
      return;
    }
    const scope = credentialScope(request.headers, query);
    const context: RequestContext = {
      region: scope?.region ?? this.account.region,
      accountId: this.account.accountId,
      requestId,
    };
    if (await this.dispatchByTarget(exchange, context)) return;
    const signed = scope && this.bySigningName.get(scope.service);
    const unhosted = signed
      ? undefined
      : requestedService({ headers: request.headers, signingName: scope?.service });
    if (unhosted !== undefined) {
      handled.service = unhosted;
      sendNotEmulated(
        response,
        { headers: request.headers, query, body, signingName: scope?.service, requestId },
        unhosted,
      );
      return;
    }
    if (!signed) {
      throw new AwsServiceError(
        'UnknownOperationException',
        `No local service answers ${request.method} ${path}${scope ? ` for "${scope.service}"` : ''}`,
        404,
      );
    }
    handled.service = scope.service;
    await this.dispatchSigned(signed, exchange, context);
  }

  /** A JSON-protocol request, when X-Amz-Target names a registered service; false otherwise. */
  private async dispatchByTarget(
    { request, response, body, handled }: Exchange,
    context: RequestContext,
  ): Promise<boolean> {
    const target = request.headers['x-amz-target'];
    if (typeof target !== 'string') return false;
    const dot = target.lastIndexOf('.');
    const service = this.byTarget.get(target.slice(0, dot));
    if (!service) return false;
    handled.service = service.signingName;
    handled.operation = target.slice(dot + 1);
    await this.dispatchJson(service, handled.operation, body, context, response);
    return true;
  }

  /** The 413 for an over-long body, in the error shape of the protocol the request was addressed in. */
  private refuseBody(
    request: IncomingMessage,
    response: ServerResponse,
    error: AwsServiceError,
    query: string,
    requestId: string,
  ): void {
    if (response.headersSent) return;
    // The connection is not reused after a body the edge did not take.
    response.setHeader('Connection', 'close');
    const target = request.headers['x-amz-target'];
    const json =
      typeof target === 'string' ? this.byTarget.get(target.slice(0, target.lastIndexOf('.'))) : undefined;
    const scope = json ? undefined : credentialScope(request.headers, query);
    const signed = scope && this.bySigningName.get(scope.service);
    if (json) sendJsonError(response, json, error);
    else if (signed?.kind === 'query') sendQueryError(response, error, requestId);
    else sendRestError(response, error);
  }

  private async dispatchSigned(
    signed: SignedService,
    exchange: Exchange,
    context: RequestContext,
  ): Promise<void> {
    const { request, response, path, query, body, handled } = exchange;
    switch (signed.kind) {
      case 'http':
        await signed.service.handle(request, response, body);
        return;
      case 'json': {
        // Another service under a hosted signing name (DynamoDB Streams signs as `dynamodb`).
        const service = requestedService({ headers: request.headers, signingName: undefined });
        if (service !== undefined) {
          const unhosted = { headers: request.headers, query, body, signingName: undefined };
          sendNotEmulated(response, { ...unhosted, requestId: context.requestId }, service);
          return;
        }
        // A JSON service addressed without X-Amz-Target: AWS names the missing operation.
        throw new AwsServiceError('UnknownOperationException', 'The X-Amz-Target header names no operation');
      }
      case 'query':
        await this.dispatchQuery(signed.service, query, body, context, response, handled);
        return;
      case 'rest': {
        const method = request.method ?? 'GET';
        const match = matchRoute(signed.routes, method, path);
        if (!match) {
          throw new AwsServiceError(
            'UnknownOperationException',
            `No operation matches ${method} ${path}`,
            404,
          );
        }
        handled.operation = match.route.operation;
        try {
          const result = await match.route.handle(
            {
              method,
              params: match.params,
              query: new URLSearchParams(query),
              headers: request.headers,
              body: parseJsonOrUndefined(body),
              rawBody: body,
            },
            context,
          );
          sendRestResult(response, result);
        } catch (error) {
          sendRestError(response, this.asServiceError(error, context.requestId));
        }
      }
    }
  }

  private async dispatchJson(
    service: JsonProtocolService,
    operationName: string,
    body: Buffer,
    context: RequestContext,
    response: ServerResponse,
  ): Promise<void> {
    try {
      const operation = Object.hasOwn(service.operations, operationName)
        ? service.operations[operationName]
        : undefined;
      if (!operation)
        throw new AwsServiceError('UnknownOperationException', `Unknown operation ${operationName}`);
      sendJsonResult(response, service.protocol, await operation(parseJsonInput(body), context));
    } catch (error) {
      sendJsonError(response, service, this.asServiceError(error, context.requestId));
    }
  }

  private async dispatchQuery(
    service: QueryProtocolService,
    query: string,
    body: Buffer,
    context: RequestContext,
    response: ServerResponse,
    handled: Handled,
  ): Promise<void> {
    try {
      const parameters = Object.fromEntries(new URLSearchParams(query));
      Object.assign(parameters, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
      const action = parameters.Action;
      if (!action)
        throw new AwsServiceError('MissingAction', 'The request must contain the parameter Action.');
      handled.operation = action;
      const operation = Object.hasOwn(service.operations, action) ? service.operations[action] : undefined;
      if (!operation) {
        throw new AwsServiceError(
          'InvalidAction',
          `The action ${action} is not valid for this web service.`,
          400,
        );
      }
      const result = await operation(parameters, context);
      sendQueryResult(response, action, service.xmlNamespace, result, context.requestId);
    } catch (error) {
      sendQueryError(response, this.asServiceError(error, context.requestId), context.requestId);
    }
  }

  private asServiceError(error: unknown, requestId: string): AwsServiceError {
    if (error instanceof AwsServiceError) return error;
    this.logError(`edge: request ${requestId} failed unexpectedly`, error);
    return internalFailure();
  }
}

export async function startEdge(options: EdgeOptions): Promise<Edge> {
  const host = options.host ?? '127.0.0.1';
  const access = new EdgeAccess(host);
  const router = new EdgeRouter(options.account, access, options.logError);
  for (const service of options.services) router.register(service);
  const { onRequest } = options;
  const server = createServer((request, response) => {
    const started = onRequest ? performance.now() : 0;
    void router.handle(request, response).then((handled) => {
      if (!onRequest) return;
      const report = () =>
        onRequest({
          requestId: String(response.getHeader('x-amzn-RequestId') ?? ''),
          method: request.method ?? '',
          path: request.url ?? '/',
          service: handled.service,
          operation: handled.operation,
          status: response.statusCode,
          durationMs: performance.now() - started,
        });
      if (response.writableFinished) report();
      else response.once('finish', report);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  access.listeningOn(port);
  const publicHost =
    host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${publicHost}:${port}`,
    port,
    register: (service) => router.register(service),
    allowOrigins: (urls) => access.allowOrigins(urls),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A body over MAX_BODY_BYTES, once read to its end. */
class BodyTooLarge extends AwsServiceError {
  constructor() {
    super('RequestEntityTooLarge', 'Request body is larger than 16 MiB', 413);
  }
}

function parseJsonInput(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    const input: unknown = JSON.parse(body.toString('utf8'));
    if (typeof input === 'object' && input !== null && !Array.isArray(input)) return input;
  } catch {
    // fall through to the error AWS gives for a body that is not a JSON object
  }
  throw new AwsServiceError('SerializationException', 'The request body is not a JSON object');
}

function parseJsonOrUndefined(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}
