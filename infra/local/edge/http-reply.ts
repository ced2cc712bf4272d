/**
 * How the services that handle their own HTTP (the SES inbox, the Graph API stand-in, the chat page's API,
 * `/_aurora`) answer: a value as JSON, text as it is, or nothing (a 204, a redirect).
 */
import type { ServerResponse } from 'node:http';

export function sendHttpReply(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (body === undefined) {
    response.writeHead(status, headers).end();
    return;
  }
  const isText = typeof body === 'string';
  const text = isText ? body : JSON.stringify(body);
  response.writeHead(status, {
    'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}
