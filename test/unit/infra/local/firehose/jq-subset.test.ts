import { describe, expect, it } from 'vitest';
import { compilePartitionQuery } from '../../../../../infra/local/firehose/jq-subset';

describe('Firehose JQ subset', () => {
  it('builds partition keys from field paths and string slices', () => {
    const query = compilePartitionQuery('{day: .time[0:10], kind: .detail.kind}');
    expect(query({ time: '2026-12-02T20:59:04Z', detail: { kind: 'created' } })).toEqual({
      day: '2026-12-02',
      kind: 'created',
    });
  });

  it('fails a record that lacks a partition key', () => {
    expect(() => compilePartitionQuery('{day: .time[0:10]}')({})).toThrow(/missing/);
  });

  it('refuses JQ outside the subset at compile time', () => {
    expect(() => compilePartitionQuery('.time | split("T")')).toThrow(/outside the JQ subset/);
    expect(() => compilePartitionQuery('{day: (.time | ascii)}')).toThrow(/outside the JQ subset/);
  });
});
