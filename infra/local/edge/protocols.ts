/**
 * How each AWS wire protocol writes a result or an error, so that SDK v3 deserialises the result and raises
 * the modelled exception class. The edge server picks the encoder; services only return values or throw
 * AwsServiceError.
 */
import type { ServerResponse } from 'node:http';
import { AwsServiceError, type JsonProtocolService } from './contracts';

const JSON_CONTENT_TYPE = {
  awsJson1_0: 'application/x-amz-json-1.0',
  awsJson1_1: 'application/x-amz-json-1.1',
};

/** Unexpected exceptions become this, as AWS reports its own faults. */
export const internalFailure = (): AwsServiceError =>
  new AwsServiceError(
    'InternalFailure',
    'The request processing has failed because of an unknown error.',
    500,
  );

/** `com.amazonaws.sqs#QueueDoesNotExist` → `QueueDoesNotExist`, as the x-amzn-ErrorType header carries it. */
export function shortErrorCode(code: string): string {
  const hash = code.indexOf('#');
  return hash === -1 ? code : code.slice(hash + 1);
}

function send(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string | Uint8Array,
): void {
  response.statusCode = status;
  response.setHeader('Content-Type', contentType);
  response.setHeader('Content-Length', typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
  response.end(body);
}

export function sendJsonResult(
  response: ServerResponse,
  protocol: JsonProtocolService['protocol'],
  result: unknown,
): void {
  send(response, 200, JSON_CONTENT_TYPE[protocol], JSON.stringify(result ?? {}));
}

export function sendJsonError(
  response: ServerResponse,
  service: Pick<JsonProtocolService, 'protocol' | 'errorNamespace' | 'awsQueryCompatible'>,
  error: AwsServiceError,
): void {
  const code = shortErrorCode(error.code);
  const type =
    error.code.includes('#') || !service.errorNamespace
      ? error.code
      : `${service.errorNamespace}#${error.code}`;
  response.setHeader('x-amzn-ErrorType', code);
  if (service.awsQueryCompatible) {
    const queryCode = service.awsQueryCompatible.errorCodes[code] ?? code;
    response.setHeader('x-amzn-query-error', `${queryCode};${faultOf(error)}`);
  }
  const body = JSON.stringify({ __type: type, message: error.message, ...error.extra });
  send(response, error.statusCode, JSON_CONTENT_TYPE[service.protocol], body);
}

export function sendRestResult(
  response: ServerResponse,
  result: { status?: number; body?: unknown; headers?: Readonly<Record<string, string>> },
): void {
  for (const [name, value] of Object.entries(result.headers ?? {})) response.setHeader(name, value);
  const status = result.status ?? 200;
  const { body } = result;
  if (body === undefined) {
    response.statusCode = status;
    response.setHeader('Content-Length', 0);
    response.end();
    return;
  }
  const raw = typeof body === 'string' || body instanceof Uint8Array;
  const contentType = response.getHeader('Content-Type')?.toString() ?? 'application/json';
  send(response, status, contentType, raw ? body : JSON.stringify(body));
}

export function sendRestError(response: ServerResponse, error: AwsServiceError): void {
  response.setHeader('x-amzn-ErrorType', shortErrorCode(error.code));
  send(
    response,
    error.statusCode,
    'application/json',
    JSON.stringify({ message: error.message, ...error.extra }),
  );
}

export function sendQueryResult(
  response: ServerResponse,
  action: string,
  xmlNamespace: string,
  result: unknown,
  requestId: string,
): void {
  const resultXml =
    result === undefined || result === null ? '' : `<${action}Result>${toXml(result)}</${action}Result>`;
  const xml =
    `<${action}Response xmlns="${escapeXml(xmlNamespace)}">${resultXml}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
  send(response, 200, 'text/xml', xml);
}

export function sendQueryError(response: ServerResponse, error: AwsServiceError, requestId: string): void {
  const xml =
    `<ErrorResponse><Error><Type>${faultOf(error)}</Type><Code>${escapeXml(shortErrorCode(error.code))}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  send(response, error.statusCode, 'text/xml', xml);
}

function faultOf(error: AwsServiceError): 'Sender' | 'Receiver' {
  return error.statusCode >= 500 ? 'Receiver' : 'Sender';
}

const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#xD;',
};

export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (character) => XML_ESCAPES[character] ?? character);
}

/** A list written as repeated elements named after its member (`<Message>..</Message><Message>..`), as SQS does. */
export class FlattenedList {
  constructor(readonly items: readonly unknown[]) {}
}

/**
 * Objects become elements, arrays `<member>` lists, FlattenedLists repeated elements, other values escaped
 * text: the XML of query-protocol results.
 */
export function toXml(value: unknown): string {
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item)}</member>`).join('');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) {
    let xml = '';
    for (const [name, member] of Object.entries(value)) {
      if (member instanceof FlattenedList) {
        for (const item of member.items) xml += `<${name}>${toXml(item)}</${name}>`;
      } else if (member !== undefined && member !== null) {
        xml += `<${name}>${toXml(member)}</${name}>`;
      }
    }
    return xml;
  }
  return escapeXml(String(value));
}
