/**
 * How a restJson1 route turns its request into the operation's SDK input (`CreateScheduleInput`,
 * `InvocationRequest`, ...): the JSON body, query values and headers. The types are what the SDK sends; the
 * wire can carry anything, so each operation still checks the members it uses.
 */
import type { RestRequest } from '../edge/contracts';

/** The JSON body as the SDK input it encodes, keeping whatever else it carries. */
export function bodyAs<Input>(request: RestRequest): Input & Readonly<Record<string, unknown>> {
  const body = typeof request.body === 'object' && request.body !== null ? request.body : {};
  return body as Input & Readonly<Record<string, unknown>>;
}

export const queryText = (request: RestRequest, key: string): string | undefined =>
  request.query.get(key) ?? undefined;

/** A numeric query member (`MaxResults`, `MaxItems`); text that is no number decodes to NaN, for the check. */
export function queryNumber(request: RestRequest, key: string): number | undefined {
  const text = queryText(request, key);
  return text === undefined ? undefined : Number(text);
}

export function headerText(request: RestRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
