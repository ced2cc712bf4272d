/**
 * The SES v1 (awsQuery) answers to a form-encoded POST (which edge/query-input decodes): results in XML, and
 * errors as `<ErrorResponse>` documents whose `<Code>` the SDK maps to an exception class.
 */

import type { AwsServiceError } from '../edge/contracts';
import { toXml } from '../edge/protocols';

const NAMESPACE = 'http://ses.amazonaws.com/doc/2010-12-01/';

/** `<XResponse><XResult>...</XResult><ResponseMetadata>...</ResponseMetadata></XResponse>`. */
export function queryResponseXml(action: string, result: unknown, requestId: string) {
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
