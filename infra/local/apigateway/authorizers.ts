/**
 * Route authorization: NONE, AWS_IAM (a SigV4 Authorization header or presigned query must be present; the
 * signature is not checked locally, as at the edge) and Lambda authorizers (REST TOKEN/REQUEST, HTTP API
 * REQUEST with IAM-policy or simple responses). Authorizer answers are cached per identity-source values
 * for the authorizer's TTL on the shared clock; a cached policy is evaluated again for each request's ARN,
 * as AWS does.
 */
import type { Clock } from '../clock';
import type { LocalAccount } from '../shared/ports';
import {
  type CallerIdentity,
  type GatewayRequest,
  headerValue,
  queryValues,
  v1Event,
  v2Event,
} from './events';
import type { ApiModel, IdentitySource, LambdaAuthorizer, Stage } from './model';
import type { GatewayError } from './responses';
import type { RouteMatch } from './routing';
import { isRecord } from './template-values';

export type InvokePort = (
  functionArn: string,
  payload: string,
) => Promise<{ payload?: string; functionError?: string }>;

export type AuthorizationOutcome =
  | { readonly allowed: true; readonly caller: CallerIdentity }
  | { readonly allowed: false; readonly error: GatewayError };

interface RouteScope {
  readonly api: ApiModel;
  readonly stage: Stage;
  readonly match: RouteMatch;
}

/** An authorizer's answer, normalised; `policy` answers are re-evaluated per request. */
interface AuthorizerAnswer {
  readonly principalId?: string;
  readonly context: Readonly<Record<string, unknown>>;
  readonly decision:
    | { readonly kind: 'simple'; readonly authorized: boolean }
    | { readonly kind: 'policy'; readonly statements: readonly Record<string, unknown>[] };
}

export class RouteAuthorizer {
  private readonly cache = new Map<string, { answer: AuthorizerAnswer; expiresAt: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly invoke: InvokePort,
    private readonly account: LocalAccount,
  ) {}

  async authorize(request: GatewayRequest, scope: RouteScope): Promise<AuthorizationOutcome> {
    const { authorization } = scope.match.route;
    switch (authorization.type) {
      case 'NONE':
        return { allowed: true, caller: { kind: 'anonymous' } };
      case 'AWS_IAM': {
        const accessKey = sigV4AccessKey(request);
        return accessKey
          ? { allowed: true, caller: { kind: 'iam', accessKey } }
          : { allowed: false, error: 'MISSING_IAM_SIGNATURE' };
      }
      case 'UNSUPPORTED':
        return { allowed: false, error: 'NOT_EMULATED' };
      case 'CUSTOM':
        return this.runLambdaAuthorizer(request, scope, authorization.authorizer);
    }
  }

  private async runLambdaAuthorizer(
    request: GatewayRequest,
    scope: RouteScope,
    authorizer: LambdaAuthorizer,
  ): Promise<AuthorizationOutcome> {
    const identity = authorizer.identitySources.map((source) => identityValue(request, scope, source));
    if (identity.some((value) => value === undefined || value === ''))
      return { allowed: false, error: 'UNAUTHORIZED' };
    const values = identity.filter((value): value is string => value !== undefined);
    if (
      authorizer.validationExpression &&
      !new RegExp(authorizer.validationExpression).test(values[0] ?? '')
    ) {
      return { allowed: false, error: 'UNAUTHORIZED' };
    }
    const resourceArn = this.executeApiArn(request, scope);
    const cacheKey = [scope.api.id, scope.stage.name, authorizer.id, ...values].join('\u0000');
    const cached = this.cache.get(cacheKey);
    const startedAt = Date.now();
    let answer: AuthorizerAnswer;
    if (cached && cached.expiresAt > this.clock.now()) {
      answer = cached.answer;
    } else {
      const event = authorizerEvent(request, scope, authorizer, values, resourceArn, this.account.accountId);
      const result = await this.invoke(authorizer.functionArn, JSON.stringify(event)).catch(() => undefined);
      if (!result) return { allowed: false, error: 'AUTHORIZER_FAILURE' };
      if (result.functionError) {
        const unauthorized = errorMessage(result.payload) === 'Unauthorized';
        return { allowed: false, error: unauthorized ? 'UNAUTHORIZED' : 'AUTHORIZER_FAILURE' };
      }
      const parsed = parseAnswer(result.payload, authorizer);
      if (!parsed) return { allowed: false, error: 'AUTHORIZER_FAILURE' };
      answer = parsed;
      if (authorizer.resultTtlSeconds > 0 && values.length > 0) {
        this.cache.set(cacheKey, {
          answer,
          expiresAt: this.clock.now() + authorizer.resultTtlSeconds * 1000,
        });
      }
    }
    const verdict = decide(answer, resourceArn);
    if (verdict !== 'allow') return { allowed: false, error: verdict };
    return {
      allowed: true,
      caller: {
        kind: 'lambda',
        principalId: answer.principalId,
        context: answer.context,
        latencyMs: Date.now() - startedAt,
      },
    };
  }

  /** `arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/path`: methodArn (REST) or routeArn (HTTP). */
  private executeApiArn(request: GatewayRequest, scope: RouteScope): string {
    const { region, accountId } = this.account;
    return `arn:aws:execute-api:${region}:${accountId}:${scope.api.id}/${scope.stage.name}/${request.method}/${request.rawPath.replace(/^\//, '')}`;
  }
}

function sigV4AccessKey(request: GatewayRequest): string | undefined {
  const header = headerValue(request, 'authorization') ?? '';
  const fromHeader = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\//.exec(header)?.[1];
  const fromQuery = queryValues(request).get('X-Amz-Credential')?.[0]?.split('/')[0];
  return fromHeader ?? (fromQuery || undefined);
}

function identityValue(
  request: GatewayRequest,
  scope: RouteScope,
  source: IdentitySource,
): string | undefined {
  switch (source.location) {
    case 'header':
      return headerValue(request, source.name);
    case 'querystring':
      return queryValues(request).get(source.name)?.join(',');
    case 'path':
      return scope.match.pathParameters[source.name];
    case 'stageVariable':
      return scope.stage.variables[source.name];
    case 'context':
      return contextVariable(request, scope, source.name);
  }
}

function contextVariable(request: GatewayRequest, scope: RouteScope, name: string): string | undefined {
  const variables: Record<string, string> = {
    'identity.sourceIp': request.sourceIp,
    requestId: request.requestId,
    stage: scope.stage.name,
    httpMethod: request.method,
    routeKey: scope.match.route.routeKey,
    apiId: scope.api.id,
  };
  return variables[name];
}

function authorizerEvent(
  request: GatewayRequest,
  scope: RouteScope,
  authorizer: LambdaAuthorizer,
  identity: readonly string[],
  resourceArn: string,
  accountId: string,
): Record<string, unknown> {
  if (authorizer.type === 'TOKEN') {
    return { type: 'TOKEN', authorizationToken: identity[0], methodArn: resourceArn };
  }
  const eventScope = { ...scope, accountId, caller: { kind: 'anonymous' } as const };
  if (authorizer.payloadFormat === '2.0') {
    const { body: _body, isBase64Encoded: _encoded, ...event } = v2Event(request, eventScope);
    return { ...event, type: 'REQUEST', routeArn: resourceArn, identitySource: identity };
  }
  const { body: _body, isBase64Encoded: _encoded, ...event } = v1Event(request, eventScope);
  const httpApiFields =
    scope.api.kind === 'http'
      ? { identitySource: identity.join(','), authorizationToken: headerValue(request, 'authorization') }
      : {};
  return { ...event, type: 'REQUEST', methodArn: resourceArn, ...httpApiFields };
}

function errorMessage(payload: string | undefined): string | undefined {
  try {
    const parsed: unknown = JSON.parse(payload ?? '');
    return isRecord(parsed) && typeof parsed.errorMessage === 'string' ? parsed.errorMessage : undefined;
  } catch {
    return undefined;
  }
}

function parseAnswer(
  payload: string | undefined,
  authorizer: LambdaAuthorizer,
): AuthorizerAnswer | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload ?? '');
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  const context = isRecord(value.context) ? value.context : {};
  const principalId = typeof value.principalId === 'string' ? value.principalId : undefined;
  if (authorizer.simpleResponses && typeof value.isAuthorized === 'boolean') {
    return { principalId, context, decision: { kind: 'simple', authorized: value.isAuthorized } };
  }
  const document = value.policyDocument;
  if (!isRecord(document)) return undefined;
  const statements = (Array.isArray(document.Statement) ? document.Statement : [document.Statement]).filter(
    isRecord,
  );
  return { principalId, context, decision: { kind: 'policy', statements } };
}

function decide(answer: AuthorizerAnswer, resourceArn: string): 'allow' | 'IMPLICIT_DENY' | 'EXPLICIT_DENY' {
  const { decision } = answer;
  if (decision.kind === 'simple') return decision.authorized ? 'allow' : 'IMPLICIT_DENY';
  const applicable = decision.statements.filter(
    (statement) =>
      listOf(statement.Action).some((action) => globMatches(action, 'execute-api:Invoke', 'i')) &&
      listOf(statement.Resource).some((resource) => globMatches(resource, resourceArn)),
  );
  if (applicable.some((statement) => String(statement.Effect).toLowerCase() === 'deny'))
    return 'EXPLICIT_DENY';
  return applicable.some((statement) => String(statement.Effect).toLowerCase() === 'allow')
    ? 'allow'
    : 'IMPLICIT_DENY';
}

function listOf(value: unknown): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.filter((item): item is string => typeof item === 'string');
}

/** IAM wildcards: `*` any run of characters, `?` one character. Action names ignore case; ARNs do not. */
function globMatches(pattern: string, value: string, flags = ''): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${source}$`, flags).test(value);
}
