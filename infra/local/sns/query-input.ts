/**
 * SNS's query-protocol inputs: maps travel as `Attributes.entry.N.key` / `.value`, message attributes as
 * `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue`.
 */
import type { QueryParameters } from '../edge/service';

export interface MessageAttributeValue {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
}

/** The `prefix.entry.N.<keyName>` / `prefix.entry.N.<valueName>` pairs, in entry order. */
function entries(
  parameters: QueryParameters,
  prefix: string,
  keyName: string,
  valueName: string,
): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let index = 1; parameters[`${prefix}.entry.${index}.${keyName}`] !== undefined; index++) {
    const key = parameters[`${prefix}.entry.${index}.${keyName}`] ?? '';
    pairs.push([key, parameters[`${prefix}.entry.${index}.${valueName}`] ?? '']);
  }
  return pairs;
}

/** `Attributes.entry.N.key/value` (CreateTopic, Subscribe) as a record. */
export function attributeMap(parameters: QueryParameters, prefix = 'Attributes'): Record<string, string> {
  return Object.fromEntries(entries(parameters, prefix, 'key', 'value'));
}

/** Publish's `MessageAttributes.entry.N.Name` with its `Value.DataType` and string or binary value. */
export function messageAttributes(parameters: QueryParameters): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (let index = 1; ; index++) {
    const base = `MessageAttributes.entry.${index}`;
    const name = parameters[`${base}.Name`];
    if (name === undefined) return attributes;
    const stringValue = parameters[`${base}.Value.StringValue`];
    const binaryValue = parameters[`${base}.Value.BinaryValue`];
    attributes[name] = {
      DataType: parameters[`${base}.Value.DataType`] ?? 'String',
      ...(stringValue !== undefined ? { StringValue: stringValue } : {}),
      ...(binaryValue !== undefined ? { BinaryValue: binaryValue } : {}),
    };
  }
}
