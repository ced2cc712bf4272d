/**
 * The SES v1 wire format (awsQuery): a form-encoded POST whose lists are flattened as `Name.member.N`, answered
 * with XML. Errors are `<ErrorResponse>` documents whose `<Code>` the SDK maps to an exception class.
 */
import { toXml } from '../edge/protocols';
import type { AwsServiceError } from '../edge/service';

const NAMESPACE = 'http://ses.amazonaws.com/doc/2010-12-01/';

export type QueryParams = ReadonlyMap<string, string>;

export function parseQueryBody(body: Buffer): QueryParams {
  return new Map(new URLSearchParams(body.toString('utf8')));
}

/** `Destination.ToAddresses.member.1..N`, in member order. */
export function memberList(params: QueryParams, prefix: string): string[] {
  const pattern = new RegExp(`^${escapeRegExp(prefix)}\\.member\\.(\\d+)$`);
  return [...params]
    .flatMap(([key, value]) => {
      const index = pattern.exec(key)?.[1];
      return index === undefined ? [] : [{ index: Number(index), value }];
    })
    .sort((left, right) => left.index - right.index)
    .map((entry) => entry.value);
}

/** `Tags.member.N.Name` / `Tags.member.N.Value` pairs as a record. */
export function memberTags(params: QueryParams, prefix: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (let index = 1; params.has(`${prefix}.member.${index}.Name`); index++) {
    const name = params.get(`${prefix}.member.${index}.Name`) ?? '';
    tags[name] = params.get(`${prefix}.member.${index}.Value`) ?? '';
  }
  return tags;
}

/** `<XResponse><XResult>...</XResult><ResponseMetadata>...</ResponseMetadata></XResponse>`. */
export function queryResponseXml(action: string, result: object, requestId: string) {
  const members = toXml(result);
  return (
    `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="${NAMESPACE}">` +
    `<${action}Result>${members}</${action}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

export function queryErrorXml(error: AwsServiceError, requestId: string): string {
  const type = error.statusCode >= 500 ? 'Receiver' : 'Sender';
  return (
    `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse xmlns="${NAMESPACE}"><Error>` +
    `<Type>${type}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message>` +
    `</Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
