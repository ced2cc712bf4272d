/** S3's errors: an XML `<Error>` document whose Code the SDK turns into the exception's name. */
import type { ServerResponse } from 'node:http';
import { AwsServiceError } from '../edge/contracts';
import { escapeXml } from '../edge/protocols';

/** `extra` members (Key, BucketName) are written as elements of the `<Error>`, as S3 does. */
export class S3Error extends AwsServiceError {}

export const notImplemented = (what: string): S3Error =>
  new S3Error(
    'NotImplemented',
    `A header or query you provided implies functionality that is not implemented: ${what}`,
    501,
  );

export function sendS3Error(
  response: ServerResponse,
  error: AwsServiceError,
  requestId: string,
  method: string | undefined,
): void {
  response.statusCode = error.statusCode;
  // A HEAD response has no body: the SDK names the error from the status (NotFound, Forbidden...).
  if (method === 'HEAD') {
    response.setHeader('Content-Length', 0);
    response.end();
    return;
  }
  const members = Object.entries(error.extra)
    .map(([name, value]) => `<${name}>${escapeXml(String(value))}</${name}>`)
    .join('');
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message>${members}` +
    `<RequestId>${requestId}</RequestId><HostId>local</HostId></Error>`;
  response.setHeader('Content-Type', 'application/xml');
  response.setHeader('Content-Length', Buffer.byteLength(xml));
  response.end(xml);
}
