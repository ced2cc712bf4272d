/**
 * What the local API Gateway serves, read from a deployed CloudFormation template.
 *
 * `apisFromTemplate` takes the template's `Resources` with every intrinsic already resolved by the deployer
 * and links the pieces the way CloudFormation does: a `Ref` to a RestApi, Resource, Authorizer, Deployment
 * or V2 Integration resolves to that resource's physical id, which the deployer chooses. Pass the same
 * `physicalIdOf` the deployer used (the default assumes a Ref resolved to the logical id). A REST
 * `ParentId` that names no Resource in the template is the API's root resource (`GetAtt RootResourceId`).
 */
import { readApis } from './api-templates';

export type PayloadFormat = '1.0' | '2.0';

export interface ThrottleLimits {
  /** Steady-state requests per second. */
  readonly rateLimit: number;
  /** Bucket size: how many requests may arrive at once. */
  readonly burstLimit: number;
}

/** Where an authorizer finds the caller's identity: `method.request.header.X` / `$request.header.X`. */
export interface IdentitySource {
  readonly location: 'header' | 'querystring' | 'path' | 'stageVariable' | 'context';
  readonly name: string;
}

export interface LambdaAuthorizer {
  readonly id: string;
  readonly name: string;
  readonly type: 'TOKEN' | 'REQUEST';
  readonly functionArn: string;
  readonly identitySources: readonly IdentitySource[];
  /** TOKEN authorizers: a token that does not match is refused with 401 without calling the function. */
  readonly validationExpression?: string;
  /** 0 disables caching; results are cached per identity-source values. */
  readonly resultTtlSeconds: number;
  /** REST authorizers always use the 1.0 event and an IAM policy answer. */
  readonly payloadFormat: PayloadFormat;
  /** HTTP API 2.0 only: the function answers `{ isAuthorized, context }` instead of a policy. */
  readonly simpleResponses: boolean;
}

export type Authorization =
  | { readonly type: 'NONE' }
  | { readonly type: 'AWS_IAM' }
  | { readonly type: 'CUSTOM'; readonly authorizer: LambdaAuthorizer }
  /** COGNITO_USER_POOLS and JWT authorizers are not emulated; such routes answer 500. */
  | { readonly type: 'UNSUPPORTED'; readonly detail: string };

export interface MockResponse {
  /** A regex over the mock's status code (as text); undefined marks the default response. */
  readonly selectionPattern?: string;
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export type Integration =
  | {
      readonly kind: 'lambda';
      readonly functionArn: string;
      readonly payloadFormat: PayloadFormat;
      readonly timeoutMs: number;
    }
  /** A MOCK integration (CDK's CORS preflight methods): static status, headers and body. */
  | { readonly kind: 'mock'; readonly statusCode: number; readonly responses: readonly MockResponse[] }
  | { readonly kind: 'unsupported'; readonly detail: string };

export interface Route {
  /** Upper-case HTTP method, or ANY. */
  readonly method: string;
  /** A path template such as `/items/{id}` or `/{proxy+}`; `$default` for an HTTP API's catch-all route. */
  readonly path: string;
  /** HTTP APIs: the template's RouteKey. REST APIs: `METHOD /resource/path`. */
  readonly routeKey: string;
  /** REST APIs: the Resource's id (requestContext.resourceId). */
  readonly resourceId?: string;
  readonly authorization: Authorization;
  readonly integration: Integration;
}

export interface ThrottleRule {
  /** `METHOD /path` (REST: method and path may be `*`), an HTTP API RouteKey, or `*` for the stage default. */
  readonly routeKey: string;
  readonly limits: ThrottleLimits;
}

export interface Stage {
  readonly name: string;
  readonly variables: Readonly<Record<string, string>>;
  readonly throttles: readonly ThrottleRule[];
}

type CorsListName = 'allowOrigins' | 'allowMethods' | 'allowHeaders' | 'exposeHeaders';

/** The CORS lists (origins, methods, headers, exposed headers) and the two scalar settings. */
export interface CorsConfiguration extends Readonly<Record<CorsListName, readonly string[]>> {
  readonly allowCredentials: boolean;
  readonly maxAgeSeconds?: number;
}

export interface ApiModel {
  readonly kind: 'rest' | 'http';
  readonly id: string;
  readonly name: string;
  readonly stages: readonly Stage[];
  readonly routes: readonly Route[];
  /** REST only: content types passed to and from Lambda as base64. */
  readonly binaryMediaTypes: readonly string[];
  /** HTTP only. */
  readonly cors?: CorsConfiguration;
  /** What the template asks for that is not emulated, so that the caller can say so at start-up. */
  readonly warnings: readonly string[];
}

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

export type PhysicalIdOf = (logicalId: string) => string;

export function apisFromTemplate(
  resources: Readonly<Record<string, TemplateResource>>,
  physicalIdOf: PhysicalIdOf = (logicalId) => logicalId,
): ApiModel[] {
  return readApis(resources, physicalIdOf);
}
