import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbEngine } from '../../../../../infra/local/athena/duckdb-engine';
import { Clock } from '../../../../../infra/local/clock';
import { GlueCatalog } from '../../../../../infra/local/glue/catalog';
import { s3ObjectPath } from '../../../../../infra/local/s3/store';

describe('bytes scanned by a query', () => {
  let stateDir: string;
  let engine: DuckDbEngine;
  const sizes = new Map<string, number>();

  function object(bucket: string, key: string, lines: object[]): void {
    const path = s3ObjectPath(stateDir, bucket, key);
    mkdirSync(dirname(path), { recursive: true });
    const body = gzipSync(lines.map((line) => JSON.stringify(line)).join('\n'));
    writeFileSync(path, body);
    sizes.set(`${bucket}/${key}`, body.length);
  }

  const bytesOf = (...objects: string[]) => objects.reduce((sum, name) => sum + (sizes.get(name) ?? 0), 0);

  const scanned = async (sql: string) =>
    (await engine.run(sql, 'db', undefined, new AbortController().signal)).bytesScanned;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'aurora-bytes-'));
    const catalog = new GlueCatalog({ clock: new Clock('manual', 0), stateDir, accountId: '000000000000' });
    catalog.putDatabase({ Name: 'db' });
    for (const name of ['events', 'users']) {
      catalog.putTable('db', {
        Name: name,
        PartitionKeys: [{ Name: 'day', Type: 'string' }],
        StorageDescriptor: {
          Location: `s3://${name}-bucket/data/`,
          Columns: [{ Name: 'id', Type: 'string' }],
        },
      });
    }
    for (const day of ['2026-12-01', '2026-12-02', '2026-12-03']) {
      object('events-bucket', `data/day=${day}/a.gz`, [{ id: 'x' }, { id: day }]);
      object('events-bucket', `data/day=${day}/b.gz`, [{ id: 'y' }]);
    }
    object(
      'users-bucket',
      'data/day=2026-12-01/u.gz',
      Array.from({ length: 50 }, (_, index) => ({ id: `u${index}` })),
    );
    object('users-bucket', 'data/day=2026-12-02/u.gz', [{ id: 'x' }]);
    object('events-bucket', 'data/day=2026-12-02/_SUCCESS', []);
    engine = await DuckDbEngine.create(catalog, stateDir, 1);
  });

  afterAll(() => {
    engine.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('counts the objects of the partitions the filter selects, not marker files', async () => {
    expect(await scanned("SELECT count(*) FROM events WHERE day >= '2026-12-02'")).toBe(
      bytesOf(
        'events-bucket/data/day=2026-12-02/a.gz',
        'events-bucket/data/day=2026-12-02/b.gz',
        'events-bucket/data/day=2026-12-03/a.gz',
        'events-bucket/data/day=2026-12-03/b.gz',
      ),
    );
  });

  it('counts every object of a table read without a partition filter', async () => {
    expect(await scanned('SELECT count(*) FROM users')).toBe(
      bytesOf('users-bucket/data/day=2026-12-01/u.gz', 'users-bucket/data/day=2026-12-02/u.gz'),
    );
  });

  it('adds up each table of a join with its own filter', async () => {
    expect(
      await scanned(
        "SELECT count(*) FROM events e JOIN users u ON e.id = u.id WHERE e.day = '2026-12-03' AND u.day = '2026-12-01'",
      ),
    ).toBe(
      bytesOf(
        'events-bucket/data/day=2026-12-03/a.gz',
        'events-bucket/data/day=2026-12-03/b.gz',
        'users-bucket/data/day=2026-12-01/u.gz',
      ),
    );
  });
});
