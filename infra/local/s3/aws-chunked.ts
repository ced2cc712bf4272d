/**
 * The `aws-chunked` content encoding SDKs use to stream an upload with a trailing checksum:
 * `<hex size>[;chunk-signature=…]\r\n<bytes>\r\n` … `0\r\n<trailer headers>\r\n\r\n`. Only the bytes are kept;
 * signatures and checksums are not verified (the local edge verifies no signature).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from './errors';

export function isAwsChunked(headers: IncomingHttpHeaders): boolean {
  const encoding = headers['content-encoding'] ?? '';
  const payloadHash = headers['x-amz-content-sha256'] ?? '';
  return (
    encoding.includes('aws-chunked') ||
    (typeof payloadHash === 'string' && payloadHash.startsWith('STREAMING-'))
  );
}

export function decodeAwsChunked(body: Buffer): Buffer {
  const chunks: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd === -1) throw malformed();
    const header = body.subarray(offset, lineEnd).toString('latin1');
    const size = Number.parseInt(header.split(';')[0] ?? '', 16);
    if (!Number.isInteger(size) || size < 0) throw malformed();
    if (size === 0) return Buffer.concat(chunks);
    const start = lineEnd + 2;
    if (start + size > body.length) throw malformed();
    chunks.push(body.subarray(start, start + size));
    offset = start + size + 2;
  }
}

const malformed = (): S3Error =>
  new S3Error('IncompleteBody', 'The request body is not valid aws-chunked encoding', 400);
