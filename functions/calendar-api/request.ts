/**
 * A REST call as the use cases see it: the operation, the signed-in person (from the API Gateway
 * authorizer), path and query parameters, lower-cased headers, and a body already parsed and checked against
 * the operation's schema.
 */
import type { HttpAnswer } from '../shared/http/answers';
import type { Operation } from './operations';

export interface Caller {
  readonly userId: string;
  readonly email: string;
  /** The session token's admin claim (admin operations also check that the grant still stands). */
  readonly admin?: boolean;
}

export interface ApiRequest<Body = unknown> {
  readonly operation: Operation;
  /** Present on every `session` and `admin` operation: the gateway refuses the call before the function otherwise. */
  readonly caller?: Caller;
  readonly path: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Body;
  /** The API's public base URL (for Location headers and the feed URL). */
  readonly baseUrl: string;
}

export type UseCase<Ports, Body = unknown> = (request: ApiRequest<Body>, ports: Ports) => Promise<HttpAnswer>;

/** The signed-in person of a `session` operation (the authorizer guarantees one; its absence is a bug). */
export function callerOf(request: ApiRequest): Caller {
  if (!request.caller) throw new Error(`${request.operation.operationId} needs a session`);
  return request.caller;
}
