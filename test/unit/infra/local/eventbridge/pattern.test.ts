import { describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../../../../infra/local/edge/contracts';
import { compileEventPattern, prepareEvent } from '../../../../../infra/local/eventbridge/pattern';

const matches = (pattern: object | string, event: object): boolean => compileEventPattern(pattern)(event);

function reasonOf(pattern: object | string): string {
  try {
    compileEventPattern(pattern);
  } catch (error) {
    expect(error).toBeInstanceOf(AwsServiceError);
    expect((error as AwsServiceError).code).toBe('InvalidEventPatternException');
    return (error as AwsServiceError).message.replace('Event pattern is not valid. Reason: ', '');
  }
  throw new Error('pattern was accepted');
}

describe('event pattern matching', () => {
  it('requires fields of one array element to match within that element', () => {
    const event = {
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
      ],
    };
    expect(matches({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, event)).toBe(true);
    expect(matches({ employees: { firstName: ['Anna'], lastName: ['Doe'] } }, event)).toBe(false);
  });

  it('flattens nested arrays of scalars', () => {
    expect(matches({ tags: ['b'] }, { tags: [['a'], ['b', 'c']] })).toBe(true);
    expect(matches({ tags: [{ exists: true }] }, { tags: [[]] })).toBe(false);
  });

  it('treats dotted keys and nested keys as one path, on both sides', () => {
    const pattern = { detail: { 'a.b': ['x'], a: { c: [1] } } };
    expect(matches(pattern, { detail: { a: { b: 'x', c: 1 } } })).toBe(true);
    expect(matches(pattern, { detail: { 'a.b': 'x', a: { c: 1 } } })).toBe(true);
    expect(matches(pattern, { detail: { 'a.b': 'y', a: { c: 1 } } })).toBe(false);
  });

  it('leaves an event without dotted keys uncopied', () => {
    const event = { detail: { a: [{ b: 1 }] } };
    expect(prepareEvent(event)).toBe(event);
  });

  it('combines $or branches with the other fields, nested', () => {
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization'] },
        { namespace: ['AWS/EC2'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
      ],
    };
    expect(matches(pattern, { source: 'aws.cloudwatch', metricName: 'CPUUtilization' })).toBe(true);
    expect(matches(pattern, { source: 'aws.cloudwatch', namespace: 'AWS/EC2', spaceId: 1000 })).toBe(true);
    expect(matches(pattern, { source: 'aws.cloudwatch', namespace: 'AWS/EC2', spaceId: 1 })).toBe(false);
    expect(matches(pattern, { source: 'other', metricName: 'CPUUtilization' })).toBe(false);
  });

  it('treats $or that is not a list of sub-patterns as an ordinary field', () => {
    expect(matches({ $or: ['a', 'b'] }, { $or: 'b' })).toBe(true);
  });

  it('matches numeric ranges only against JSON numbers', () => {
    const pattern = { n: [{ numeric: ['>=', 10, '<', 20] }] };
    expect(matches(pattern, { n: 10 })).toBe(true);
    expect(matches(pattern, { n: 19.999 })).toBe(true);
    expect(matches(pattern, { n: 20 })).toBe(false);
    expect(matches(pattern, { n: '15' })).toBe(false);
    expect(matches({ n: [{ numeric: ['=', 3.018e2] }] }, { n: 301.8 })).toBe(true);
  });

  it('matches IPv4 and IPv6 CIDR blocks, including compressed and embedded forms', () => {
    expect(matches({ ip: [{ cidr: '10.0.0.0/8' }] }, { ip: '10.255.1.2' })).toBe(true);
    expect(matches({ ip: [{ cidr: '10.0.0.0/8' }] }, { ip: '11.0.0.1' })).toBe(false);
    expect(matches({ ip: [{ cidr: '::ffff:0:0/96' }] }, { ip: '::ffff:10.0.0.1' })).toBe(true);
    expect(matches({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:DB8:0:0:1::1' })).toBe(true);
    expect(matches({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '10.0.0.1' })).toBe(false);
  });

  it('supports escaped stars and backslashes in wildcards', () => {
    expect(matches({ f: [{ wildcard: 'a\\*b*' }] }, { f: 'a*bcd' })).toBe(true);
    expect(matches({ f: [{ wildcard: 'a\\*b*' }] }, { f: 'axbcd' })).toBe(false);
    expect(matches({ f: [{ wildcard: 'a\\\\*' }] }, { f: 'a\\z' })).toBe(true);
    expect(reasonOf({ f: [{ wildcard: 'a\\b' }] })).toBe('Invalid escape character at pos 1');
  });

  it('matches case-insensitively where asked', () => {
    expect(matches({ s: [{ 'equals-ignore-case': 'HeLLo' }] }, { s: 'hello' })).toBe(true);
    expect(matches({ s: [{ suffix: { 'equals-ignore-case': '.PNG' } }] }, { s: 'a.png' })).toBe(true);
    expect(matches({ s: [{ 'anything-but': { 'equals-ignore-case': ['A', 'b'] } }] }, { s: 'B' })).toBe(
      false,
    );
  });

  it('does not mistake inherited object members for event fields', () => {
    expect(matches({ constructor: [{ exists: true }] }, {})).toBe(false);
    expect(matches({ toString: [{ exists: false }] }, {})).toBe(true);
  });

  it('reports AWS reasons for malformed numeric and structural patterns', () => {
    expect(reasonOf({ n: [{ numeric: ['<', 5, '>', 1] }] })).toBe('Too many elements in numeric expression');
    expect(reasonOf({ n: [{ numeric: ['>', 5, '<', 1] }] })).toBe('Bottom must be less than top');
    expect(reasonOf({ n: [{ numeric: ['~', 5] }] })).toBe('Unrecognized numeric range operator: ~');
    expect(reasonOf({ n: [{ numeric: ['=', 'x'] }] })).toBe('Value of equals must be numeric');
    expect(reasonOf({ n: [{ prefix: 'a', suffix: 'b' }] })).toBe('Only one key allowed in match expression');
    expect(reasonOf({ n: [['nested']] })).toBe('Match value must be String, number, true, false, or null');
    expect(reasonOf({ n: [{ exists: 'yes' }] })).toBe('exists match pattern must be either true or false.');
    expect(reasonOf('[1]')).toBe('Filter is not an object');
  });

  it('refuses wildcard sets that are too non-deterministic, counting every wildcard of a field', () => {
    expect(() =>
      compileEventPattern({ k: [{ wildcard: '*/datasync/*.bif' }, { wildcard: '*/datasync/*.tif' }] }),
    ).not.toThrow();
    expect(
      reasonOf({
        k: [{ wildcard: '*.bif' }, { wildcard: '*.tiff' }, { wildcard: '*.tif' }, { wildcard: '*.svs' }],
      }),
    ).toMatch(/^Rule is too complex/);
  });
});
