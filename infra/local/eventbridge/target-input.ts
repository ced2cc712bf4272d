/**
 * What a rule target receives: the matched event, or its Input / InputPath / InputTransformer rendering.
 *
 * InputTransformer follows AWS's documented rules. A template starting with `{` is a JSON template: a
 * placeholder outside quotes becomes the value's JSON (strings gain quotes); inside a quoted string it is
 * spliced in as text, unescaped, with objects and arrays losing their inner quotes. Any other template is a
 * string template: values are spliced in as text and the result is delivered verbatim (a template written
 * as `"... <x> ..."` thus yields a JSON string).
 */
import type { Target } from '@aws-sdk/client-eventbridge';
import { validationError } from '../edge/contracts';
import { JsonPathSyntaxError, parseJsonPath, readJsonPath } from './json-path';

export interface InputTransformerConfig {
  readonly InputPathsMap?: Readonly<Record<string, string>>;
  readonly InputTemplate: string;
}

export interface TargetInputConfig {
  readonly Id: string;
  readonly Input?: string;
  readonly InputPath?: string;
  readonly InputTransformer?: InputTransformerConfig;
}

export interface DeliveryContext {
  readonly ruleArn: string;
  readonly ruleName: string;
  /** ISO-8601 time the bus accepted the event. */
  readonly ingestionTime: string;
}

const PLACEHOLDER = /<([A-Za-z0-9_.-]+)>/g;
const PREDEFINED = new Set([
  'aws.events.rule-arn',
  'aws.events.rule-name',
  'aws.events.event.ingestion-time',
  'aws.events.event',
  'aws.events.event.json',
]);

/** PutTargets-time checks of a target's input settings as the wire gives them (ValidationException with AWS's texts). */
export function validateTargetInput(
  target: Pick<Target, 'Id' | 'Input' | 'InputPath' | 'InputTransformer'>,
): void {
  const given = [target.Input, target.InputPath, target.InputTransformer].filter(
    (item) => item !== undefined,
  );
  if (given.length > 1) {
    throw validationError(
      `Only one of Input, InputPath, or InputTransformer must be provided for target ${target.Id}.`,
    );
  }
  if (target.Input !== undefined) {
    if (target.Input.length > 8192)
      throw validationError(`Input for target ${target.Id} exceeds 8192 characters.`);
    try {
      JSON.parse(target.Input);
    } catch {
      throw validationError(`Input for target ${target.Id} is not valid JSON text.`);
    }
  }
  if (target.InputPath !== undefined) checkPath(target.InputPath, target.Id);
  const transformer = target.InputTransformer;
  if (!transformer) return;
  if (typeof transformer.InputTemplate !== 'string' || transformer.InputTemplate.length === 0) {
    throw validationError(`InputTemplate for target ${target.Id} must be a non-empty string.`);
  }
  const paths = transformer.InputPathsMap ?? {};
  if (Object.keys(paths).length > 100) {
    throw validationError(`InputPathsMap for target ${target.Id} has more than 100 entries.`);
  }
  for (const [name, path] of Object.entries(paths)) {
    if (PREDEFINED.has(name) || name.toLowerCase().startsWith('aws.')) {
      throw validationError(`InputPathsMap for target ${target.Id} uses the reserved name ${name}.`);
    }
    checkPath(path, target.Id);
  }
  for (const [, name = ''] of transformer.InputTemplate.matchAll(PLACEHOLDER)) {
    if (!Object.hasOwn(paths, name) && !PREDEFINED.has(name)) {
      throw validationError(`InputTemplate for target ${target.Id} contains invalid placeholder ${name}.`);
    }
  }
}

function checkPath(path: string, targetId: string | undefined): void {
  try {
    parseJsonPath(path);
  } catch (error) {
    if (error instanceof JsonPathSyntaxError) {
      throw validationError(`Target ${targetId} has an invalid JSON path ${path}: ${error.message}.`);
    }
    throw error;
  }
}

/** The payload text delivered to the target for `event` (the full event envelope, `detail` parsed). */
export function renderTargetInput(
  target: Omit<TargetInputConfig, 'Id'>,
  event: Readonly<Record<string, unknown>>,
  context: DeliveryContext,
): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined) return JSON.stringify(readJsonPath(event, target.InputPath) ?? null);
  if (target.InputTransformer) return renderTemplate(target.InputTransformer, event, context);
  return JSON.stringify(event);
}

function variablesFor(
  transformer: InputTransformerConfig,
  event: Readonly<Record<string, unknown>>,
  context: DeliveryContext,
): Map<string, unknown> {
  const variables = new Map<string, unknown>();
  for (const [name, path] of Object.entries(transformer.InputPathsMap ?? {})) {
    variables.set(name, readJsonPath(event, path));
  }
  const { detail: _detail, 'detail-type': detailType, ...envelope } = event;
  variables.set('aws.events.rule-arn', context.ruleArn);
  variables.set('aws.events.rule-name', context.ruleName);
  variables.set('aws.events.event.ingestion-time', context.ingestionTime);
  // The detail-free form names detail-type as detailType, as AWS delivers it.
  variables.set('aws.events.event', { ...envelope, detailType });
  variables.set('aws.events.event.json', event);
  return variables;
}

function renderTemplate(
  transformer: InputTransformerConfig,
  event: Readonly<Record<string, unknown>>,
  context: DeliveryContext,
): string {
  const variables = variablesFor(transformer, event, context);
  const template = transformer.InputTemplate;
  const isJsonTemplate = template.trimStart().startsWith('{');
  const quotedAt = isJsonTemplate ? quotedPositions(template) : undefined;
  return template.replace(PLACEHOLDER, (_whole, name: string, offset: number) => {
    // A missing path renders as an empty string value.
    const value = variables.get(name) ?? '';
    if (quotedAt && !quotedAt(offset)) return JSON.stringify(value);
    return asText(value);
  });
}

/** How a value reads when spliced into text: strings as-is, objects and arrays without inner quotes. */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  const json = JSON.stringify(value);
  return typeof value === 'object' && value !== null ? json.replaceAll('"', '') : json;
}

/** A predicate telling whether a template offset lies inside a JSON string literal. */
function quotedPositions(template: string): (offset: number) => boolean {
  const boundaries: number[] = [];
  for (let index = 0; index < template.length; index++) {
    const char = template[index];
    if (char === '\\') index++;
    else if (char === '"') boundaries.push(index);
  }
  return (offset) => {
    let inside = false;
    for (const boundary of boundaries) {
      if (boundary > offset) break;
      inside = !inside;
    }
    return inside;
  };
}
