/**
 * Graph API errors as Meta returns them: HTTP 400 (unless stated) with
 * `{"error":{"message","type","code","error_subcode"?,"fbtrace_id"}}`. Messages carry Graph's `(#code)` prefix.
 */
import { randomBytes } from 'node:crypto';

export interface GraphErrorBody {
  readonly message: string;
  readonly type: string;
  readonly code: number;
  readonly error_subcode?: number;
  readonly fbtrace_id: string;
}

export class GraphError extends Error {
  constructor(
    readonly body: GraphErrorBody,
    readonly status = 400,
  ) {
    super(body.message);
    this.name = 'GraphError';
  }
}

export function newTraceId(): string {
  return `A${randomBytes(16).toString('base64url').slice(0, 22)}`;
}

export function graphError(code: number, message: string, subcode?: number, status = 400): GraphError {
  return new GraphError(
    {
      message,
      type: 'OAuthException',
      code,
      ...(subcode === undefined ? {} : { error_subcode: subcode }),
      fbtrace_id: newTraceId(),
    },
    status,
  );
}

/** `(#100) <message>`: Graph's parameter error. */
export const invalidParameter = (message: string, subcode?: number): GraphError =>
  graphError(100, `(#100) ${message}`, subcode);

export const requiredParameter = (name: string): GraphError =>
  invalidParameter(`The parameter ${name} is required`);

export const lengthExceeded = (name: string, limit: number): GraphError =>
  invalidParameter(`Length of param ${name} must be less than or equal to ${limit}`);

export const notOneOf = (name: string, allowed: readonly string[], got: unknown): GraphError =>
  invalidParameter(
    `param ${name} must be one of {${allowed.join(', ')}}${got === undefined ? '' : ` - got ${JSON.stringify(got)}`}`,
  );

export const tooFewElements = (name: string): GraphError =>
  graphError(194, `(#194) param ${name} has too few elements.`);

export const tooManyElements = (name: string, limit: number): GraphError =>
  invalidParameter(`param ${name} must have at most ${limit} elements.`);

export const missingAccessToken = (): GraphError =>
  graphError(2500, 'An active access token must be used to query information about the current user.');

export const invalidAccessToken = (): GraphError =>
  graphError(190, 'Invalid OAuth access token - Cannot parse access token');

export const noMatchingUser = (): GraphError => invalidParameter('No matching user found', 2018001);

export const outsideAllowedWindow = (): GraphError =>
  graphError(
    10,
    '(#10) This message is sent outside of allowed window. Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview',
    2018278,
  );
