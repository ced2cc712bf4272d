/**
 * What a REST use case answers, independent of API Gateway: a status, a JSON body (or text), headers.
 * Errors are RFC 9457 problem details (application/problem+json) whose `type` names the kind of problem
 * (docs/api.md lists them) and whose `errors` name each field and the rule it breaks.
 */
export interface FieldError {
  /** A JSON pointer into the body (`/start`), or a query parameter's or header's name. */
  readonly field: string;
  readonly rule: string;
  readonly message: string;
}

export interface HttpAnswer {
  readonly status: number;
  /** Serialised as JSON; absent for 204. */
  readonly body?: unknown;
  /** A body that is not JSON (e.g. text/calendar), sent as is. */
  readonly text?: string;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** `type` is `/problems/<kind>`, a URI reference the API documents. */
export function problem(
  status: number,
  kind: string,
  detail: string,
  extra: { readonly errors?: readonly FieldError[]; readonly headers?: Record<string, string> } = {},
): HttpAnswer {
  return {
    status,
    contentType: PROBLEM_CONTENT_TYPE,
    ...(extra.headers ? { headers: extra.headers } : {}),
    body: {
      type: `/problems/${kind}`,
      title: TITLES[status] ?? 'Error',
      status,
      detail,
      ...(extra.errors && extra.errors.length > 0 ? { errors: extra.errors } : {}),
    },
  };
}

/** 400 for a body or query that breaks its rules, every broken rule listed. */
export const invalid = (errors: readonly FieldError[]): HttpAnswer =>
  problem(400, 'validation-failed', errors.map((error) => error.message).join(' '), { errors });

export const notFound = (what: string): HttpAnswer => problem(404, 'not-found', `No ${what} with this id.`);

export const ok = (body: unknown, headers?: Record<string, string>): HttpAnswer => ({
  status: 200,
  body,
  ...(headers ? { headers } : {}),
});

export const noContent: HttpAnswer = { status: 204 };

/** A strong ETag of a version. */
export const etagOf = (version: number): string => `"${version}"`;

function ifMatchVersion(header: string | undefined): number | 'any' | 'malformed' | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '*') return 'any';
  const match = /^(?:W\/)?"(\d{1,9})"$/.exec(value);
  return match?.[1] ? Number(match[1]) : 'malformed';
}

/**
 * A change's If-Match against the resource's version: 428 when required and absent, 400 when it is not an
 * ETag, 412 (with the current ETag) when it names another version; undefined when the change may go on.
 */
export function preconditionFailure(
  ifMatch: string | undefined,
  resource: { readonly name: string; readonly version: number },
  options: { readonly required: boolean },
): HttpAnswer | undefined {
  const expected = ifMatchVersion(ifMatch);
  if (expected === undefined) {
    return options.required
      ? problem(428, 'precondition-required', 'Send If-Match with the ETag you read, e.g. If-Match: "3".')
      : undefined;
  }
  if (expected === 'malformed') {
    return invalid([{ field: 'If-Match', rule: 'etag', message: 'If-Match must be an ETag such as "3".' }]);
  }
  if (expected !== 'any' && expected !== resource.version) {
    return problem(
      412,
      'stale-version',
      `The ${resource.name} is at version ${resource.version}, not ${expected}; read it again.`,
      { headers: { etag: etagOf(resource.version) } },
    );
  }
  return undefined;
}
