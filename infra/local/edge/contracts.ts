/**
 * The contract between the edge endpoint and each emulated service.
 *
 * A service declares which AWS wire protocol it speaks and its operations; the edge routes a request to it
 * (by SigV4 credential scope, X-Amz-Target or path), decodes the input, and encodes the result or the
 * error exactly as AWS would, so that an unmodified SDK client raises the right exception class.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

/** An error as AWS returns it: a code that becomes the SDK exception's name, a message, an HTTP status. */
export class AwsServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
    /** Extra members of the error body (e.g. `Reason` for a DynamoDB cancellation). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = code;
  }
}

export const validationError = (message: string): AwsServiceError =>
  new AwsServiceError('ValidationException', message, 400);

export interface RequestContext {
  readonly region: string;
  readonly accountId: string;
  readonly requestId: string;
}

/**
 * Operation input is the decoded JSON body; each operation narrows it to its SDK input type and checks what
 * AWS checks. Output is serialised as-is.
 */
// biome-ignore lint/suspicious/noExplicitAny: each operation declares its own SDK input type
export type Operation = (input: any, context: RequestContext) => Promise<unknown> | unknown;

/**
 * The operations of an SDK client, keyed by wire name and each taking the SDK's own request type, e.g.
 * `OperationsOf<EventBridge>` has `PutRule: (input: PutRuleRequest, context) => ...`. Only the members an
 * emulator defines are routed; the rest answer UnknownOperationException.
 */
export type OperationsOf<Client> = {
  readonly [Method in keyof Client & string as Client[Method] extends (...args: never[]) => unknown
    ? Capitalize<Method>
    : never]?: Client[Method] extends (input: infer Input, ...rest: never[]) => unknown
    ? (input: Input, context: RequestContext) => Promise<unknown> | unknown
    : never;
};

/**
 * An SDK request type as a wire protocol delivers it: blobs arrive as base64 text, and over the query
 * protocol (decoded by edge/query-input) so does every other scalar the decoding does not declare numeric.
 */
export type WireInput<T, Protocol extends 'json' | 'query'> = T extends Uint8Array
  ? string
  : T extends number | boolean | Date
    ? Protocol extends 'query'
      ? string
      : T
    : T extends readonly (infer Item)[]
      ? WireInput<Item, Protocol>[]
      : T extends object
        ? { [Member in keyof T]: WireInput<T[Member], Protocol> }
        : T;

/** `OperationsOf` with each input as `Protocol` delivers it (`WireInput`), for clients whose inputs differ. */
export type WireOperationsOf<Client, Protocol extends 'json' | 'query'> = {
  readonly [Name in keyof OperationsOf<Client>]?: OperationsOf<Client>[Name] extends
    | ((input: infer Input, context: RequestContext) => unknown)
    | undefined
    ? (input: WireInput<Input, Protocol>, context: RequestContext) => Promise<unknown> | unknown
    : never;
};

/** awsJson1_0 / awsJson1_1: POST / with X-Amz-Target: `${targetPrefix}.${operation}`. */
export interface JsonProtocolService {
  readonly protocol: 'awsJson1_0' | 'awsJson1_1';
  /** SigV4 signing name, e.g. `states`, `events`, `dynamodb`. */
  readonly signingName: string;
  /** e.g. `AWSStepFunctions`, `AWSEvents`, `DynamoDB_20120810`. */
  readonly targetPrefix: string;
  readonly operations: { readonly [name: string]: Operation | undefined };
  /** Prefix of the `__type` of errors whose code has no namespace, e.g. `com.amazonaws.sqs`. */
  readonly errorNamespace?: string;
  /**
   * Set for services that moved from the query protocol to JSON (SQS): every error also carries the header
   * `x-amzn-query-error: <query code>;Sender|Receiver`, from which SDK v3 takes the legacy error code.
   * `errorCodes` maps a JSON error code to its query code where they differ.
   */
  readonly awsQueryCompatible?: { readonly errorCodes: Readonly<Record<string, string>> };
}

/** Form parameters of a query-protocol request, flattened as sent (`Attribute.1.Name` etc.). */
export type QueryParameters = Readonly<Record<string, string>>;

/**
 * What a query operation returns: the members of `<ActionResult>`. Objects become elements, arrays become
 * `<member>` lists, a `FlattenedList` (edge/protocols) repeated elements, everything else escaped text;
 * undefined members are left out.
 */
export type QueryOperation = (
  parameters: QueryParameters,
  context: RequestContext,
) => Promise<unknown> | unknown;

/** awsQuery: form-encoded `Action=...&Version=...` bodies, XML responses (STS, the older SQS and SES APIs). */
export interface QueryProtocolService {
  readonly protocol: 'query';
  readonly signingName: string;
  /** The xmlns of responses, e.g. `https://sts.amazonaws.com/doc/2011-06-15/`. */
  readonly xmlNamespace: string;
  readonly operations: Readonly<Record<string, QueryOperation>>;
}

export interface RestRequest {
  readonly method: string;
  /** Path parameters from the route template, URI-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The body parsed as JSON when it is JSON, else undefined; `rawBody` always holds the bytes. */
  readonly body: unknown;
  readonly rawBody: Buffer;
}

export interface RestResponse {
  readonly status?: number;
  /** Serialised as JSON, except a string or bytes, which are sent as they are (e.g. a Lambda payload). */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RestRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A path template such as `/schedules/{Name}` or `/2015-03-31/functions/{FunctionName}/invocations`. */
  readonly path: string;
  readonly operation: string;
  readonly handle: (request: RestRequest, context: RequestContext) => Promise<RestResponse> | RestResponse;
}

/** restJson1: operations addressed by method and path (Lambda, Scheduler, SES v2). */
export interface RestJsonService {
  readonly protocol: 'restJson1';
  readonly signingName: string;
  readonly routes: readonly RestRoute[];
}

export type EdgeService = JsonProtocolService | RestJsonService | QueryProtocolService | HttpService;

/**
 * A service that handles its own HTTP (dynalite, the SES inbox, the Graph API stand-in, `/_aurora` pages).
 * The edge hands it requests whose path starts with one of `pathPrefixes`, or whose SigV4 signing name is
 * `signingName`, with the body already read.
 */
export interface HttpService {
  readonly protocol: 'http';
  readonly signingName?: string;
  readonly pathPrefixes?: readonly string[];
  readonly handle: (request: IncomingMessage, response: ServerResponse, body: Buffer) => Promise<void> | void;
}
