/**
 * The OpenAPI 3.1 document served at /openapi.json, built from the operations table and the schemas only,
 * so that it cannot drift from what the API routes and validates.
 *
 * The schemas are the definitions of events-schema/api/resources.json plus the shared ones they use, moved
 * to components.schemas. They are Draft 4 files but use nothing whose meaning differs in 2020-12 (the
 * dialect of OpenAPI 3.1); test/unit/functions/calendar-api/openapi.test.ts compiles every one of them as 2020-12 to keep it so.
 */
import { STATUS_CODES } from 'node:http';
import { type JsonSchema, resourceDefinitions } from '../../events-schema/api/resource-definitions';
import { OPERATIONS, type Operation, type QueryParameter } from './operations';

export interface OpenApiOptions {
  /** Where the API is served; relative to the document's own URL when absent. */
  readonly serverUrl?: string;
}

const SCHEMAS = '#/components/schemas/';
const JSON_TYPE = 'application/json';
const MERGE_PATCH_TYPE = 'application/merge-patch+json';
const PROBLEM_TYPE = 'application/problem+json';
const UNAUTHORIZED = 401;
const THROTTLED = 429;
const GATEWAY_ANSWERS = new Set([UNAUTHORIZED, THROTTLED]);

const PROBLEM_DESCRIPTIONS: Partial<Record<number, string>> = {
  400: 'The request is invalid; errors lists each field problem.',
  401: 'The access token is missing, invalid or expired.',
  403: 'The session is not an admin’s.',
  404: 'No such resource, or not one of the person’s.',
  409: 'The request conflicts with the resource’s state, or reuses an Idempotency-Key for another request.',
  412: 'If-Match names an older version: read the resource again.',
  413: 'The body is too large.',
  415: 'The body is not sent as JSON.',
  428: 'If-Match is required.',
  429: 'Too many requests: retry after Retry-After seconds.',
};

const schemaRef = (name: string) => ({ $ref: `${SCHEMAS}${name}` });
const stringSchema = { type: 'string' };

export function buildOpenApiDocument(options: OpenApiOptions = {}): Record<string, unknown> {
  const schemas = resourceDefinitions(SCHEMAS);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of OPERATIONS) {
    paths[operation.path] = {
      ...paths[operation.path],
      [operation.method.toLowerCase()]: operationObject(operation, schemas),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Aurora Time API',
      // The bundle has no package.json to read a version from; bump this with a breaking change.
      version: '1',
      description: 'Calendar events, reminders and settings of Aurora Time.',
    },
    servers: [{ url: options.serverUrl ?? '/' }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'The access token of a session (from signing in with a one-time code).',
        },
      },
    },
  };
}

function operationObject(operation: Operation, schemas: Record<string, JsonSchema>): Record<string, unknown> {
  const { requestBody } = operation;
  const parameters = [
    ...pathParameterNames(operation.path).map((name) => ({
      name,
      in: 'path',
      required: true,
      schema: stringSchema,
    })),
    ...(operation.query ?? []).map((parameter) => parameterObject(parameter, 'query')),
    ...(operation.headers ?? []).map((parameter) => parameterObject(parameter, 'header')),
  ];
  const problems = new Set([
    ...operation.problems,
    ...(operation.access === 'public' ? [] : [UNAUTHORIZED]),
    THROTTLED,
  ]);
  const responses: Record<string, unknown> = {
    [operation.success.status]: successResponse(operation, schemas),
  };
  // Integer keys list in ascending order whatever the insertion order: the statuses come out sorted.
  for (const status of problems) responses[status] = problemResponse(status);
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    ...(operation.access === 'public' ? {} : { security: [{ bearerAuth: [] }] }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(requestBody === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            content: Object.fromEntries(
              requestTypes(operation).map((type) => [
                type,
                { schema: definitionRef(operation, schemas, requestBody) },
              ]),
            ),
          },
        }),
    responses,
  };
}

/** A PATCH body is a JSON merge patch, which may say so (RFC 7396). */
const requestTypes = (operation: Operation) =>
  operation.method === 'PATCH' ? [JSON_TYPE, MERGE_PATCH_TYPE] : [JSON_TYPE];

/** A typo in the table fails the document's build, not a client's request. */
function definitionRef(operation: Operation, schemas: Record<string, JsonSchema>, name: string) {
  if (!Object.hasOwn(schemas, name)) {
    throw new Error(`${operation.operationId} names ${name}, which resources.json does not define`);
  }
  return schemaRef(name);
}

const pathParameterNames = (path: string): string[] =>
  [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '');

function parameterObject(parameter: QueryParameter, location: 'query' | 'header'): Record<string, unknown> {
  return {
    name: parameter.name,
    in: location,
    description: parameter.description,
    required: parameter.required ?? false,
    schema: stringSchema,
  };
}

function successResponse(operation: Operation, schemas: Record<string, JsonSchema>): Record<string, unknown> {
  const { status, body, contentType } = operation.success;
  const headers: Record<string, unknown> = {};
  // A resource with a version is served with it as its ETag, for If-Match on the next change.
  const versioned = body !== undefined && hasProperty(schemas[body], 'version');
  if (versioned) {
    headers.ETag = { description: 'The version of the resource, for If-Match.', schema: stringSchema };
  }
  if (status === 201) {
    headers.Location = { description: 'The URL of the resource created.', schema: stringSchema };
  }
  // A body that is not a definition: text (the iCalendar feed) or a JSON document of its own (this one).
  const schema =
    body !== undefined
      ? definitionRef(operation, schemas, body)
      : contentType?.startsWith('text/')
        ? stringSchema
        : { type: 'object' };
  return {
    description: STATUS_CODES[status] ?? String(status),
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    ...(body === undefined && contentType === undefined
      ? {}
      : { content: { [contentType ?? JSON_TYPE]: { schema } } }),
  };
}

const hasProperty = (schema: JsonSchema | undefined, name: string): boolean =>
  typeof schema?.properties === 'object' &&
  schema.properties !== null &&
  Object.hasOwn(schema.properties, name);

function problemResponse(status: number): Record<string, unknown> {
  return {
    description: PROBLEM_DESCRIPTIONS[status] ?? STATUS_CODES[status] ?? String(status),
    ...(status === THROTTLED
      ? {
          headers: {
            'Retry-After': {
              description: 'Seconds to wait before retrying.',
              schema: { type: 'integer', minimum: 0 },
            },
          },
        }
      : {}),
    // 401 and 429 come from API Gateway (the authorizer, the throttle) in its own shape, not from the function.
    content: GATEWAY_ANSWERS.has(status)
      ? { [JSON_TYPE]: { schema: schemaRef('GatewayError') } }
      : { [PROBLEM_TYPE]: { schema: schemaRef('Problem') } },
  };
}
