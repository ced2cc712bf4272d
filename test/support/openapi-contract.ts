/**
 * Checks, in tests, that what the API answers is what its OpenAPI document declares: the operation exists,
 * the status is one of its responses, and the body matches that response's schema (JSON Schema 2020-12,
 * the dialect of OpenAPI 3.1). Also a structural check of the document itself, as far as it can be made
 * without the official OpenAPI meta-schema.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';

type JsonObject = { [key: string]: unknown };

export class ContractViolation extends Error {
  override name = 'ContractViolation';
}

export interface CheckedResponse {
  readonly operationId: string;
  /** The path as the document names it, e.g. /events/{id}. */
  readonly routePath: string;
}

export interface ContractChecker {
  /**
   * `path` is a route path (/events/{id}) or an actual one (/events/01J..., a query string or a whole URL
   * is fine). A JSON body may be given parsed or as its text. Throws ContractViolation.
   */
  check(
    method: string,
    path: string,
    status: number,
    contentType: string | undefined,
    body: unknown,
  ): CheckedResponse;
}

const DOCUMENT_ID = 'openapi.json';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const objectAt = (value: unknown): JsonObject => (isObject(value) ? value : {});

/** A JSON pointer into the document, each token escaped and URI-encoded for use in a $ref. */
const pointer = (...tokens: string[]) =>
  `#${tokens.map((token) => `/${encodeURIComponent(token.replaceAll('~', '~0').replaceAll('/', '~1'))}`).join('')}`;

interface Route {
  readonly routePath: string;
  readonly matcher: RegExp;
  readonly parameterCount: number;
}

function routeOf(routePath: string): Route {
  const pattern = routePath
    .split(/(\{\w+\})/)
    .map((part) => (/^\{\w+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return {
    routePath,
    matcher: new RegExp(`^${pattern}$`),
    parameterCount: routePath.split('{').length - 1,
  };
}

export function contractChecker(document: JsonObject): ContractChecker {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  // The document's own keys (openapi, info, paths, components) are not JSON Schema keywords; knowing them
  // lets the whole document be the root, so that each `#/components/schemas/X` resolves inside it.
  ajv.addVocabulary(Object.keys(document));
  ajv.addSchema(document, DOCUMENT_ID);
  const validators = new Map<string, ValidateFunction>();
  const validatorAt = (ref: string) => {
    let validate = validators.get(ref);
    if (!validate) {
      validate = ajv.compile({ $ref: `${DOCUMENT_ID}${ref}` });
      validators.set(ref, validate);
    }
    return validate;
  };

  const paths = objectAt(document.paths);
  // A literal path wins over a template that also matches it (/me/export over /me/{x}).
  const routes = Object.keys(paths)
    .map(routeOf)
    .sort((a, b) => a.parameterCount - b.parameterCount);

  /** The route and operation a request names; throws when the document has none. */
  const operationOf = (method: string, path: string) => {
    const actualPath = new URL(path, 'http://api.invalid').pathname;
    const route = routes.find((candidate) => candidate.matcher.test(actualPath));
    const operation = route && objectAt(paths[route.routePath])[method.toLowerCase()];
    if (!route || !isObject(operation)) {
      throw new ContractViolation(`The document has no operation ${method.toUpperCase()} ${path}`);
    }
    return { route, operation };
  };

  return {
    check(method, path, status, contentType, body) {
      const { route, operation } = operationOf(method, path);
      const checked = { operationId: String(operation.operationId), routePath: route.routePath };
      const where = `${method.toUpperCase()} ${route.routePath} (${checked.operationId}) answered ${status}`;
      const responses = objectAt(operation.responses);
      const response = responses[String(status)];
      if (!isObject(response)) {
        throw new ContractViolation(
          `${where}, which it does not declare (${Object.keys(responses).join(', ')})`,
        );
      }
      const content = objectAt(response.content);
      if (Object.keys(content).length === 0) {
        if (body !== undefined && body !== '') {
          throw new ContractViolation(`${where} with a body, but that response has none`);
        }
        return checked;
      }
      const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
      if (mediaType === undefined || !Object.hasOwn(content, mediaType)) {
        throw new ContractViolation(
          `${where} as ${contentType ?? 'no content type'}; it declares ${Object.keys(content).join(', ')}`,
        );
      }
      const value = typeof body === 'string' && /[/+]json$/.test(mediaType) ? parseJson(body, where) : body;
      const schemaAt = ['paths', route.routePath, method.toLowerCase(), 'responses', String(status)];
      const validate = validatorAt(pointer(...schemaAt, 'content', mediaType, 'schema'));
      if (!validate(value)) {
        const problems = ajv.errorsText(validate.errors, { dataVar: 'body', separator: '\n  ' });
        throw new ContractViolation(`${where} with a body that breaks its schema:\n  ${problems}`);
      }
      return checked;
    },
  };
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ContractViolation(`${where} with a body that is not JSON: ${(error as Error).message}`);
  }
}

/**
 * What makes the document invalid OpenAPI 3.1, as far as it is checked here: the version, info, every
 * $ref resolving, every schema compiling as 2020-12, unique operationIds, each operation's responses with
 * descriptions, path parameters matching the template, declared security schemes. Empty when it passes.
 */
export function openApiProblems(document: JsonObject): string[] {
  return [
    ...versionAndInfoProblems(document),
    ...refProblems(document),
    ...schemaProblems(document),
    ...pathProblems(document),
  ];
}

function versionAndInfoProblems(document: JsonObject): string[] {
  const problems: string[] = [];
  if (typeof document.openapi !== 'string' || !/^3\.1\.\d+$/.test(document.openapi)) {
    problems.push(`openapi is ${String(document.openapi)}, not 3.1.x`);
  }
  const info = objectAt(document.info);
  if (typeof info.title !== 'string' || typeof info.version !== 'string') {
    problems.push('info needs a title and a version (strings)');
  }
  return problems;
}

function refProblems(document: JsonObject): string[] {
  const problems: string[] = [];
  forEachRef(document, [], (ref, at) => {
    if (!ref.startsWith('#/') || resolvePointer(document, ref) === undefined) {
      problems.push(`${at}: $ref ${ref} does not resolve inside the document`);
    }
  });
  return problems;
}

function schemaProblems(document: JsonObject): string[] {
  const ajv = new Ajv2020({ strict: true });
  ajv.addVocabulary(Object.keys(document));
  ajv.addSchema(document, DOCUMENT_ID);
  return Object.keys(objectAt(objectAt(document.components).schemas)).flatMap((name) => {
    try {
      ajv.compile({ $ref: `${DOCUMENT_ID}${pointer('components', 'schemas', name)}` });
      return [];
    } catch (error) {
      return [`components.schemas.${name} is not valid JSON Schema 2020-12: ${(error as Error).message}`];
    }
  });
}

/** What every operation of a path is checked against: its template's names, the document's schemes and ids. */
interface OperationContext {
  readonly at: string;
  readonly templateNames: readonly string[];
  readonly securitySchemes: JsonObject;
  /** The operationIds seen so far, to find repeats; each new one is added. */
  readonly operationIds: Set<string>;
}

function pathProblems(document: JsonObject): string[] {
  const securitySchemes = objectAt(objectAt(document.components).securitySchemes);
  const operationIds = new Set<string>();
  const problems: string[] = [];
  for (const [path, pathItem] of Object.entries(objectAt(document.paths))) {
    if (!path.startsWith('/')) problems.push(`path ${path} does not start with /`);
    const templateNames = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '');
    for (const method of METHODS) {
      const operation = objectAt(pathItem)[method];
      if (operation === undefined) continue;
      const context = { at: `${method.toUpperCase()} ${path}`, templateNames, securitySchemes, operationIds };
      problems.push(...operationProblems(operation, context));
    }
  }
  return problems;
}

function operationProblems(operation: unknown, context: OperationContext): string[] {
  if (!isObject(operation)) return [`${context.at} is not an object`];
  return [
    ...operationIdProblems(operation, context),
    ...responseProblems(operation, context.at),
    ...parameterProblems(operation, context),
    ...securityProblems(operation, context),
  ];
}

function operationIdProblems(operation: JsonObject, { at, operationIds }: OperationContext): string[] {
  const id = operation.operationId;
  if (typeof id !== 'string') return [`${at} has no operationId`];
  if (operationIds.has(id)) return [`${at}: operationId ${id} is not unique`];
  operationIds.add(id);
  return [];
}

function responseProblems(operation: JsonObject, at: string): string[] {
  const responses = objectAt(operation.responses);
  const problems = Object.keys(responses).length === 0 ? [`${at} declares no responses`] : [];
  for (const [status, response] of Object.entries(responses)) {
    if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(status)) problems.push(`${at}: ${status} is not a status`);
    if (typeof objectAt(response).description !== 'string')
      problems.push(`${at} ${status} has no description`);
    problems.push(...mediaTypeProblems(objectAt(response).content, `${at} ${status}`));
  }
  if (operation.requestBody !== undefined) {
    problems.push(...mediaTypeProblems(objectAt(operation.requestBody).content, `${at} request body`));
  }
  return problems;
}

function parameterProblems(operation: JsonObject, { at, templateNames }: OperationContext): string[] {
  const parameters = Array.isArray(operation.parameters) ? operation.parameters.map(objectAt) : [];
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const parameter of parameters) {
    const key = `${String(parameter.in)} ${String(parameter.name)}`;
    if (seen.has(key)) problems.push(`${at}: parameter ${key} is declared twice`);
    seen.add(key);
    problems.push(...oneParameterProblems(parameter, key, at, templateNames));
  }
  for (const name of templateNames) {
    if (!seen.has(`path ${name}`)) problems.push(`${at}: path parameter {${name}} is not declared`);
  }
  return problems;
}

function oneParameterProblems(
  parameter: JsonObject,
  key: string,
  at: string,
  templateNames: readonly string[],
): string[] {
  const problems: string[] = [];
  if (!['path', 'query', 'header', 'cookie'].includes(String(parameter.in))) {
    problems.push(`${at}: parameter ${String(parameter.name)} has no valid "in"`);
  }
  if (!isObject(parameter.schema)) problems.push(`${at}: parameter ${key} has no schema`);
  if (parameter.in !== 'path') return problems;
  if (!templateNames.includes(String(parameter.name))) {
    problems.push(`${at}: path parameter ${String(parameter.name)} is not in the path`);
  }
  if (parameter.required !== true) problems.push(`${at}: path parameter ${key} must be required`);
  return problems;
}

function securityProblems(operation: JsonObject, { at, securitySchemes }: OperationContext): string[] {
  const security = Array.isArray(operation.security) ? operation.security.map(objectAt) : [];
  return security
    .flatMap(Object.keys)
    .filter((scheme) => !Object.hasOwn(securitySchemes, scheme))
    .map((scheme) => `${at}: security scheme ${scheme} is undeclared`);
}

function mediaTypeProblems(content: unknown, at: string): string[] {
  if (content === undefined) return [];
  return Object.entries(objectAt(content)).flatMap(([mediaType, media]) => [
    ...(/^[\w.+-]+\/[\w.+-]+$/.test(mediaType) ? [] : [`${at}: ${mediaType} is not a media type`]),
    ...(isObject(objectAt(media).schema) ? [] : [`${at} ${mediaType} has no schema`]),
  ]);
}

function forEachRef(node: unknown, at: string[], visit: (ref: string, at: string) => void): void {
  if (Array.isArray(node)) {
    node.forEach((item, index) => {
      forEachRef(item, [...at, String(index)], visit);
    });
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') visit(value, at.join('.'));
    else forEachRef(value, [...at, key], visit);
  }
}

function resolvePointer(document: JsonObject, ref: string): unknown {
  let node: unknown = document;
  for (const token of ref.slice(2).split('/')) {
    const key = decodeURIComponent(token).replaceAll('~1', '/').replaceAll('~0', '~');
    if (!isObject(node) && !Array.isArray(node)) return undefined;
    node = (node as JsonObject)[key];
  }
  return node;
}
