import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Clock } from '../../../../../infra/local/clock';
import { GlueCatalog } from '../../../../../infra/local/glue/catalog';

describe('local Glue Data Catalog', () => {
  let stateDir: string;
  let clock: Clock;
  const open = () => new GlueCatalog({ clock, stateDir, accountId: '000000000000' });

  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'aurora-glue-'));
    clock = new Clock('manual', Date.UTC(2026, 11, 3));
  });

  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  it('keeps databases and tables across a restart, names in lower case as Glue does', () => {
    const catalog = open();
    catalog.putDatabase({ Name: 'Aurora_Analytics' });
    catalog.putTable('aurora_analytics', {
      Name: 'Aurora_Events',
      PartitionKeys: [{ Name: 'event_date', Type: 'string' }],
      StorageDescriptor: {
        Location: 's3://archive/events/',
        Columns: [{ Name: 'event_id', Type: 'string' }],
      },
    });
    const restarted = open();
    expect(restarted.databaseNames()).toEqual(['aurora_analytics']);
    expect(
      restarted.tables('AURORA_ANALYTICS').map((table) => [table.Name, table.StorageDescriptor?.Location]),
    ).toEqual([['aurora_events', 's3://archive/events/']]);
  });

  it('lets a redeploy replace a table but refuses to create one twice', () => {
    const catalog = open();
    catalog.putDatabase({ Name: 'db' });
    catalog.putTable('db', { Name: 't', StorageDescriptor: { Location: 's3://a/old/' } });
    clock.advanceBy(60_000);
    catalog.putTable('db', { Name: 't', StorageDescriptor: { Location: 's3://a/new/' } });
    const [table] = catalog.tables('db');
    expect(table?.StorageDescriptor?.Location).toBe('s3://a/new/');
    expect((table?.UpdateTime ?? 0) - (table?.CreateTime ?? 0)).toBe(60);
    expect(() => catalog.createTable('db', { Name: 't' })).toThrow(
      expect.objectContaining({ code: 'AlreadyExistsException' }),
    );
    expect(() => catalog.putTable('missing', { Name: 't' })).toThrow(
      expect.objectContaining({ code: 'EntityNotFoundException' }),
    );
  });
});
