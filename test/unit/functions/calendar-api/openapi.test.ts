import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../../../functions/calendar-api/openapi';
import { OPERATIONS } from '../../../../functions/calendar-api/operations';
import { ContractViolation, contractChecker, openApiProblems } from '../../../support/openapi-contract';

type JsonObject = Record<string, unknown>;

const document = buildOpenApiDocument({ serverUrl: 'https://api.example.test' });
const checker = contractChecker(document);

const at = (node: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((value, key) => (value as JsonObject | undefined)?.[key], node);
const operationAt = (path: string, method: string) => at(document, 'paths', path, method) as JsonObject;

const EVENT_ID = '01J9Z3Q4R5S6T7V8W9X0Y1Z2A3';
const event = {
  id: EVENT_ID,
  version: 1,
  title: 'Dentist',
  timeZone: 'Europe/Paris',
  allDay: false,
  start: '2026-11-23T09:00',
  end: '2026-11-23T10:00',
  startsAt: '2026-11-23T08:00:00.000Z',
  endsAt: '2026-11-23T09:00:00.000Z',
  reminders: [{ offset: 'PT15M', channels: ['email'] }],
  createdAt: '2026-11-20T10:00:00.000Z',
  updatedAt: '2026-11-20T10:00:00.000Z',
};
const notFound = { type: 'https://aurora.example/problems/not-found', title: 'Not found', status: 404 };

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 as far as it is checked: refs, schemas, operations, parameters, security', () => {
    expect(openApiProblems(document)).toEqual([]);
  });

  it('has every operation of the table, and nothing else', () => {
    const declared = Object.entries(document.paths as JsonObject).flatMap(([path, item]) =>
      Object.entries(item as JsonObject).map(
        ([method, operation]) =>
          `${method.toUpperCase()} ${path} ${String((operation as JsonObject).operationId)}`,
      ),
    );
    expect(declared.sort()).toEqual(
      OPERATIONS.map((operation) => `${operation.method} ${operation.path} ${operation.operationId}`).sort(),
    );
  });

  it('inlines the schemas it uses under components.schemas, as 2020-12 without Draft 4 ids', () => {
    const text = JSON.stringify(document);
    expect(text).not.toContain('definitions.json');
    expect(text).not.toContain('#/definitions/');
    expect(text).not.toContain('"$schema"');
    expect(text).not.toMatch(/"id":"/);
    expect(Object.keys(at(document, 'components', 'schemas') as JsonObject)).toEqual(
      expect.arrayContaining(['EventInput', 'Event', 'Problem', 'LeadTime', 'TimeZone', 'Timestamp']),
    );
    expect(document.servers).toEqual([{ url: 'https://api.example.test' }]);
    expect(buildOpenApiDocument({}).servers).toEqual([{ url: '/' }]);
    expect(document.info).toMatchObject({ title: 'Aurora Time API', version: '1' });
  });

  it('secures session and admin operations with the bearer scheme and answers 401 for them only', () => {
    expect(at(document, 'components', 'securitySchemes', 'bearerAuth')).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    for (const operation of OPERATIONS) {
      const declared = operationAt(operation.path, operation.method.toLowerCase());
      const responses = declared.responses as JsonObject;
      const secured = operation.access !== 'public';
      expect(declared.security, operation.operationId).toEqual(secured ? [{ bearerAuth: [] }] : undefined);
      expect(Object.hasOwn(responses, '401'), operation.operationId).toBe(secured);
      expect(at(responses, '429', 'headers', 'Retry-After'), operation.operationId).toBeDefined();
      for (const status of operation.problems) {
        expect(at(responses, String(status), 'content', 'application/problem+json', 'schema')).toEqual({
          $ref: '#/components/schemas/Problem',
        });
      }
    }
  });

  it('declares parameters, bodies and headers from the table', () => {
    const updateEvent = operationAt('/events/{id}', 'patch');
    expect(updateEvent.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
      expect.objectContaining({ name: 'If-Match', in: 'header', required: false }),
    ]);
    expect(at(updateEvent, 'requestBody', 'content')).toEqual({
      'application/json': { schema: { $ref: '#/components/schemas/EventPatch' } },
      'application/merge-patch+json': { schema: { $ref: '#/components/schemas/EventPatch' } },
    });
    expect(Object.keys(at(updateEvent, 'responses', '200', 'headers') as JsonObject)).toEqual(['ETag']);

    const listOccurrences = operationAt('/events', 'get');
    expect(listOccurrences.parameters).toContainEqual(
      expect.objectContaining({ name: 'from', in: 'query', required: true }),
    );

    const createReminder = operationAt('/reminders', 'post');
    expect(Object.keys(at(createReminder, 'responses', '201', 'headers') as JsonObject)).toEqual([
      'ETag',
      'Location',
    ]);
    expect(
      at(operationAt('/me/calendar-feed', 'post'), 'responses', '201', 'headers', 'ETag'),
    ).toBeUndefined();
    expect(at(operationAt('/events/{id}', 'delete'), 'responses', '204', 'content')).toBeUndefined();

    expect(at(operationAt('/calendar/{feed}', 'get'), 'responses', '200', 'content')).toEqual({
      'text/calendar': { schema: { type: 'string' } },
    });
  });

  it('builds the same from a bundle, where the schemas are imported JSON', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'aurora-openapi-'));
    try {
      const outfile = join(folder, 'openapi.mjs');
      await build({
        entryPoints: [join(import.meta.dirname, '../../../../functions/calendar-api/openapi.ts')],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node22',
        outfile,
        logLevel: 'silent',
      });
      const bundled = (await import(
        pathToFileURL(outfile).href
      )) as typeof import('../../../../functions/calendar-api/openapi');
      expect(bundled.buildOpenApiDocument({ serverUrl: 'https://api.example.test' })).toEqual(document);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('openApiProblems', () => {
  it('finds a dangling $ref, a reused operationId and an undeclared path parameter', () => {
    const broken = structuredClone(document) as JsonObject;
    const getEvent = at(broken, 'paths', '/events/{id}', 'get') as JsonObject;
    getEvent.operationId = 'createEvent';
    getEvent.parameters = [];
    (at(broken, 'components', 'schemas') as JsonObject).Event = { $ref: '#/components/schemas/Missing' };
    expect(openApiProblems(broken)).toEqual(
      expect.arrayContaining([
        'components.schemas.Event: $ref #/components/schemas/Missing does not resolve inside the document',
        'GET /events/{id}: operationId createEvent is not unique',
        'GET /events/{id}: path parameter {id} is not declared',
      ]),
    );
  });
});

describe('contractChecker', () => {
  it('passes a valid body, found by an actual path or by the route path', () => {
    expect(checker.check('GET', `/events/${EVENT_ID}`, 200, 'application/json', event)).toEqual({
      operationId: 'getEvent',
      routePath: '/events/{id}',
    });
    expect(
      checker.check('patch', '/events/{id}', 200, 'application/json; charset=utf-8', JSON.stringify(event)),
    ).toMatchObject({ operationId: 'updateEvent' });
    expect(
      checker.check(
        'GET',
        `https://api.example.test/events?from=2026-11-01&to=2026-11-30`,
        200,
        'application/json',
        {
          from: '2026-10-31T23:00:00.000Z',
          to: '2026-11-30T23:00:00.000Z',
          timeZone: 'Europe/Paris',
          items: [],
        },
      ),
    ).toMatchObject({ operationId: 'listOccurrences' });
    expect(
      checker.check('GET', '/me/export', 200, 'application/json', {
        exportedAt: '2026-11-20T10:00:00.000Z',
        userId: EVENT_ID,
        items: [{ pk: 'USER#1' }],
      }),
    ).toMatchObject({ operationId: 'exportMe' });
  });

  it('passes problems, empty bodies and the iCalendar text', () => {
    expect(
      checker.check('GET', `/events/${EVENT_ID}`, 404, 'application/problem+json', notFound).operationId,
    ).toBe('getEvent');
    expect(checker.check('DELETE', `/events/${EVENT_ID}`, 204, undefined, undefined).operationId).toBe(
      'deleteEvent',
    );
    expect(
      checker.check('GET', '/calendar/abc.ics', 200, 'text/calendar', 'BEGIN:VCALENDAR\r\n').operationId,
    ).toBe('getCalendarFeed');
    expect(checker.check('GET', '/openapi.json', 200, 'application/json', document).operationId).toBe(
      'getOpenApi',
    );
  });

  it('refuses a body with an extra property or a bad field, naming the problem', () => {
    expect(() =>
      checker.check('GET', `/events/${EVENT_ID}`, 200, 'application/json', { ...event, colour: 'red' }),
    ).toThrow(
      /GET \/events\/\{id\} \(getEvent\) answered 200 with a body that breaks its schema:\n {2}body must NOT have additional properties/,
    );
    expect(() =>
      checker.check('GET', `/events/${EVENT_ID}`, 200, 'application/json', {
        ...event,
        startsAt: 'tomorrow',
      }),
    ).toThrow(/body\/startsAt must match pattern/);
  });

  it('refuses an undeclared status, content type, body or route', () => {
    expect(() => checker.check('GET', `/events/${EVENT_ID}`, 201, 'application/json', event)).toThrow(
      ContractViolation,
    );
    expect(() => checker.check('GET', `/events/${EVENT_ID}`, 201, 'application/json', event)).toThrow(
      /answered 201, which it does not declare \(200, 401, 404, 429\)/,
    );
    expect(() => checker.check('GET', `/events/${EVENT_ID}`, 404, 'application/json', notFound)).toThrow(
      /as application\/json; it declares application\/problem\+json/,
    );
    expect(() => checker.check('DELETE', `/events/${EVENT_ID}`, 204, 'application/json', event)).toThrow(
      /with a body, but that response has none/,
    );
    expect(() => checker.check('GET', '/events/a/b', 200, 'application/json', event)).toThrow(
      /no operation GET \/events\/a\/b/,
    );
    expect(() => checker.check('PUT', '/me', 200, 'application/json', {})).toThrow(/no operation PUT \/me/);
    expect(() => checker.check('PATCH', '/me', 200, 'application/json', '{not json')).toThrow(/is not JSON/);
  });
});
