/**
 * One request through API Gateway, in AWS's order: CORS preflight (HTTP APIs), route selection,
 * throttling, authorization, then the integration, whose answer is translated per payload format.
 */
import type { Clock } from '../clock';
import type { LocalAccount } from '../shared/ports';
import type { Candidate } from './addressing';
import { type InvokePort, RouteAuthorizer } from './authorizers';
import { isPreflight, preflightResponse, withCorsHeaders } from './cors';
import { type EventScope, type GatewayRequest, headerValue, v1Event, v2Event } from './events';
import type { ApiModel, Integration } from './model';
import { type GatewayError, gatewayError, type HttpResponse, mockResponse, proxyResponse } from './responses';
import type { RouteMatch } from './routing';
import { limitsFor, Throttler } from './throttle';

export interface GatewayDependencies {
  readonly clock: Clock;
  readonly invoke: InvokePort;
  readonly account: LocalAccount;
  /** Problems the client only sees as a 5xx (function errors, malformed answers, what is not emulated). */
  readonly log: (line: string) => void;
}

type LambdaIntegration = Extract<Integration, { kind: 'lambda' }>;

export class Gateway {
  private readonly throttler: Throttler;
  private readonly authorizer: RouteAuthorizer;

  constructor(private readonly dependencies: GatewayDependencies) {
    this.throttler = new Throttler(dependencies.clock);
    this.authorizer = new RouteAuthorizer(dependencies.clock, dependencies.invoke, dependencies.account);
  }

  /** `request.rawPath` is ignored in favour of each candidate's path (the stage prefix removed). */
  async handle(request: GatewayRequest, candidates: readonly Candidate[]): Promise<HttpResponse> {
    const first = candidates[0];
    if (!first) return gatewayError('NO_ROUTE', 'http');
    const cors = candidates.find((candidate) => candidate.api.model.cors)?.api.model.cors;
    if (cors && isPreflight(request)) return preflightResponse(request, cors);

    for (const candidate of candidates) {
      const match = candidate.api.routes.match(request.method, candidate.rawPath);
      if (!match) continue;
      const scoped = { ...request, rawPath: candidate.rawPath };
      const response = await this.serve(scoped, candidate, match);
      const apiCors = candidate.api.model.cors;
      return apiCors ? withCorsHeaders(request, apiCors, response) : response;
    }
    return gatewayError('NO_ROUTE', first.api.model.kind);
  }

  private async serve(
    request: GatewayRequest,
    candidate: Candidate,
    match: RouteMatch,
  ): Promise<HttpResponse> {
    const { api, stage } = candidate;
    const kind = api.model.kind;
    const limits = limitsFor(stage, match.route.routeKey);
    const throttled =
      limits && this.throttler.take(`${api.model.id}/${stage.name}/${match.route.routeKey}`, limits);
    if (throttled && !throttled.taken) {
      const response = gatewayError('THROTTLED', kind);
      // Retry-After: when the route's bucket holds a token again.
      return {
        ...response,
        headers: [...response.headers, ['Retry-After', String(throttled.retryAfterSeconds)]],
      };
    }
    const outcome = await this.authorizer.authorize(request, { api: api.model, stage, match });
    if (!outcome.allowed) {
      if (outcome.error === 'NOT_EMULATED' || outcome.error === 'AUTHORIZER_FAILURE') {
        this.dependencies.log(
          `${api.model.name} ${match.route.routeKey}: authorization failed (${outcome.error})`,
        );
      }
      return gatewayError(outcome.error, kind);
    }
    const scope: EventScope = {
      api: api.model,
      stage,
      match,
      accountId: this.dependencies.account.accountId,
      caller: outcome.caller,
    };
    const { integration } = match.route;
    switch (integration.kind) {
      case 'lambda':
        return this.invokeLambda(request, scope, integration);
      case 'mock':
        return (
          mockResponse(integration) ??
          this.fail(api.model, match, 'INVOKE_FAILED', 'no mock integration response matches')
        );
      case 'unsupported':
        return this.fail(api.model, match, 'NOT_EMULATED', integration.detail);
    }
  }

  private async invokeLambda(
    request: GatewayRequest,
    scope: EventScope,
    integration: LambdaIntegration,
  ): Promise<HttpResponse> {
    const api = scope.api;
    const event = integration.payloadFormat === '2.0' ? v2Event(request, scope) : v1Event(request, scope);
    const result = await this.withTimeout(
      this.dependencies.invoke(integration.functionArn, JSON.stringify(event)),
      integration.timeoutMs,
    ).then(
      (value) => value,
      (error: unknown) => ({ rejected: error instanceof Error ? error.message : String(error) }),
    );
    if (result === 'timeout')
      return this.fail(api, scope.match, 'TIMEOUT', `no answer within ${integration.timeoutMs} ms`);
    if ('rejected' in result)
      return this.fail(api, scope.match, 'INVOKE_FAILED', `invoke failed: ${result.rejected}`);
    if (result.functionError) {
      return this.fail(api, scope.match, 'FUNCTION_ERROR', `function error: ${result.payload ?? ''}`);
    }
    const response = proxyResponse(result.payload, {
      api,
      format: integration.payloadFormat,
      accept: headerValue(request, 'accept'),
    });
    // REST APIs answer a malformed proxy response with 502, HTTP APIs with 500.
    const malformed: GatewayError = api.kind === 'rest' ? 'FUNCTION_ERROR' : 'INVOKE_FAILED';
    return (
      response ??
      this.fail(api, scope.match, malformed, `malformed Lambda proxy response: ${result.payload ?? ''}`)
    );
  }

  private withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T | 'timeout'> {
    const { clock } = this.dependencies;
    return new Promise((resolve, reject) => {
      const timer = clock.after(timeoutMs, () => resolve('timeout'));
      promise.then(
        (value) => {
          clock.cancel(timer);
          resolve(value);
        },
        (error: unknown) => {
          clock.cancel(timer);
          reject(error);
        },
      );
    });
  }

  private fail(api: ApiModel, match: RouteMatch, error: GatewayError, detail: string): HttpResponse {
    this.dependencies.log(`${api.name} ${match.route.routeKey}: ${detail}`);
    return gatewayError(error, api.kind);
  }
}
