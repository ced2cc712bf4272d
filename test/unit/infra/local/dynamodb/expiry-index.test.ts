/** The expiry index the TTL sweeper reads: fed with committed LevelDB batches as dynalite writes them. */
import { describe, expect, it } from 'vitest';
import type { AttributeMap, BatchOperation } from '../../../../../infra/local/dynamodb/dynalite-internals';
import { ExpiryIndex } from '../../../../../infra/local/dynamodb/expiry-index';

const item = (pk: string, expiresAt?: number): AttributeMap => ({
  pk: { S: pk },
  sk: { S: 'x' },
  ...(expiresAt === undefined ? {} : { expiresAt: { N: String(expiresAt) } }),
});
const put = (table: string, pk: string, expiresAt?: number): BatchOperation => ({
  type: 'put',
  key: `item-${table}~${pk}`,
  value: item(pk, expiresAt),
});
const del = (table: string, pk: string): BatchOperation => ({ type: 'del', key: `item-${table}~${pk}` });

function index(): ExpiryIndex {
  const expiries = new ExpiryIndex();
  expiries.track('Reminders', 'expiresAt', ['pk', 'sk']);
  return expiries;
}
const duePks = (expiries: ExpiryIndex, now: number, oldest = 0) =>
  expiries.takeDue('Reminders', now, oldest).map((due) => due.key.pk);

describe('ExpiryIndex', () => {
  it('answers the items due by their current expiry, in order, each once, with their table keys', () => {
    const expiries = index();
    expiries.observe([put('Reminders', 'b', 200), put('Reminders', 'a', 100), put('Reminders', 'c', 300)]);
    expect(duePks(expiries, 50)).toEqual([]);
    expect(expiries.takeDue('Reminders', 200, 0)).toEqual([
      { itemKey: 'a', key: { pk: { S: 'a' }, sk: { S: 'x' } }, expiresAt: 100 },
      { itemKey: 'b', key: { pk: { S: 'b' }, sk: { S: 'x' } }, expiresAt: 200 },
    ]);
    expect(duePks(expiries, 200)).toEqual([]);
    expect(expiries.size('Reminders')).toBe(1);
  });

  it('follows rewrites and deletes: a moved expiry counts, a removed attribute or item is forgotten', () => {
    const expiries = index();
    expiries.observe([put('Reminders', 'moved', 100), put('Reminders', 'cleared', 100)]);
    expiries.observe([put('Reminders', 'gone', 100), put('Reminders', 'moved', 500)]);
    expiries.observe([put('Reminders', 'cleared'), del('Reminders', 'gone')]);
    expect(duePks(expiries, 400)).toEqual([]);
    expect(duePks(expiries, 500)).toEqual([{ S: 'moved' }]);
  });

  it('ignores other tables, index entries and records beside the tables', () => {
    const expiries = index();
    expiries.observe([
      put('Other', 'x', 1),
      { type: 'put', key: 'index-gsi~Reminders~byStatus~x', value: item('x', 1) },
      { type: 'put', key: 'transaction-token~abc', value: {} },
    ]);
    expect(expiries.size('Reminders')).toBe(0);
  });

  it('drops expiries older than the oldest AWS still deletes, without answering them', () => {
    const expiries = index();
    expiries.observe([put('Reminders', 'ancient', 10), put('Reminders', 'recent', 900)]);
    expect(duePks(expiries, 1000, 100)).toEqual([{ S: 'recent' }]);
    expect(expiries.size('Reminders')).toBe(0);
  });

  it('keeps a write recorded during seeding over the older copy the seeding scan read', () => {
    const expiries = index();
    expiries.observe([put('Reminders', 'rewritten', 900)]);
    expiries.seed('Reminders', [
      { itemKey: 'rewritten', item: item('rewritten', 100) },
      { itemKey: 'old', item: item('old', 100) },
    ]);
    expect(duePks(expiries, 500)).toEqual([{ S: 'old' }]);
    expect(duePks(expiries, 900)).toEqual([{ S: 'rewritten' }]);
  });

  it('takes back an item whose deletion failed, unless it was written again meanwhile', () => {
    const expiries = index();
    expiries.observe([put('Reminders', 'a', 100), put('Reminders', 'b', 100)]);
    const [first, second] = expiries.takeDue('Reminders', 100, 0);
    if (!first || !second) throw new Error('expected two due items');
    expiries.observe([put('Reminders', 'b', 700)]);
    expiries.putBack('Reminders', first);
    expiries.putBack('Reminders', second);
    expect(duePks(expiries, 100)).toEqual([{ S: 'a' }]);
    expect(duePks(expiries, 700)).toEqual([{ S: 'b' }]);
  });
});
