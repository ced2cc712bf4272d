/**
 * The answer to a request for an AWS service the local cloud does not host (Kinesis, CloudWatch, ...): an
 * error in the protocol the request was sent in, so that the caller's SDK parses it and raises an error
 * naming the service, rather than failing on a body it cannot read.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { AwsServiceError } from './contracts';
import { sendJsonError, sendQueryError, sendRestError } from './protocols';

export interface UnhostedRequest {
  readonly headers: IncomingHttpHeaders;
  readonly query: string;
  readonly body: Buffer;
  /** The SigV4 signing name, when the request was signed. */
  readonly signingName: string | undefined;
  readonly requestId: string;
}

/** The service a request names: its signing name (`kinesis`), else its X-Amz-Target prefix. */
export function requestedService(
  request: Pick<UnhostedRequest, 'headers' | 'signingName'>,
): string | undefined {
  if (request.signingName) return request.signingName;
  const target = request.headers['x-amz-target'];
  return typeof target === 'string' && target.includes('.')
    ? target.slice(0, target.lastIndexOf('.'))
    : undefined;
}

export function notEmulatedError(service: string, operation: string | undefined): AwsServiceError {
  return new AwsServiceError(
    'NotImplemented',
    `The local cloud does not emulate the AWS service "${service}"` +
      `${operation ? `, so ${operation} was not run` : ''}. Point this client at AWS, or leave the call out locally.`,
    501,
  );
}

/** Answers in awsJson (X-Amz-Target), the query protocol (an `Action` parameter) or restJson otherwise. */
export function sendNotEmulated(response: ServerResponse, request: UnhostedRequest, service: string): void {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') {
    const contentType = String(request.headers['content-type'] ?? '');
    const protocol = contentType.includes('1.1') ? 'awsJson1_1' : 'awsJson1_0';
    sendJsonError(
      response,
      { protocol },
      notEmulatedError(service, target.slice(target.lastIndexOf('.') + 1)),
    );
    return;
  }
  const action =
    new URLSearchParams(request.query).get('Action') ??
    new URLSearchParams(request.body.toString('utf8')).get('Action');
  if (action !== null) {
    sendQueryError(response, notEmulatedError(service, action), request.requestId);
    return;
  }
  sendRestError(response, notEmulatedError(service, undefined));
}
