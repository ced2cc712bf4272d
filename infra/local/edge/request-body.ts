/**
 * Reads a request's body, for the edge and the API Gateway server alike. A body over the limit is still read
 * to its end (and dropped) so that the 413 reaches a client that is still sending: closing the socket under
 * it would reach that client as a TCP reset instead.
 */
import type { IncomingMessage } from 'node:http';

export function readBody(request: IncomingMessage, limitBytes: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    request.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length <= limitBytes) chunks.push(chunk);
    });
    request.on('end', () => {
      if (length > limitBytes) resolve('too-large');
      else resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks));
    });
    request.on('error', reject);
  });
}
