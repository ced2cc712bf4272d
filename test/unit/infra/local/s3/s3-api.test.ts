import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import {
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  NoSuchBucket,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Clock } from '../../../../../infra/local/clock';
import { type Edge, startEdge } from '../../../../../infra/local/edge/server';
import { S3Service } from '../../../../../infra/local/s3/service';
import { s3KeyOfPath, s3ObjectPath } from '../../../../../infra/local/s3/store';
import { edgeClientConfig } from '../../../../support/local-cloud';

const account = { region: 'eu-west-1', accountId: '000000000000' };
const START = Date.UTC(2026, 11, 3, 10, 15, 0);

describe('local S3 through the edge (SDK v3)', () => {
  let stateDir: string;
  let clock: Clock;
  let edge: Edge;
  let client: S3Client;

  beforeEach(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'aurora-s3-'));
    clock = new Clock('manual', START);
    const s3 = new S3Service({ stateDir, clock, region: account.region });
    edge = await startEdge({ port: 0, services: [s3], account });
    // 127.0.0.1 endpoints are addressed path-style by the SDK without being told.
    client = new S3Client(edgeClientConfig(edge.url, account.region));
  });

  afterEach(async () => {
    client.destroy();
    await edge.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const put = (Key: string, Body: string, extra: { ContentType?: string } = {}) =>
    client.send(new PutObjectCommand({ Bucket: 'archive', Key, Body, ...extra }));
  const keysOf = (contents: Array<{ Key?: string }> | undefined) => (contents ?? []).map((item) => item.Key);

  it('creates, heads, lists and deletes buckets, with S3 errors for the wrong ones', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'archive' }));
    await client.send(new HeadBucketCommand({ Bucket: 'archive' }));
    await expect(client.send(new CreateBucketCommand({ Bucket: 'archive' }))).rejects.toBeInstanceOf(
      BucketAlreadyOwnedByYou,
    );
    await expect(client.send(new HeadBucketCommand({ Bucket: 'missing' }))).rejects.toBeInstanceOf(NotFound);
    const { Buckets } = await client.send(new ListBucketsCommand({}));
    expect(Buckets).toEqual([{ Name: 'archive', CreationDate: new Date(START) }]);

    await put('a.txt', 'a');
    const notEmpty = await client
      .send(new DeleteBucketCommand({ Bucket: 'archive' }))
      .catch((error) => error);
    expect(notEmpty).toBeInstanceOf(S3ServiceException);
    expect((notEmpty as S3ServiceException).name).toBe('BucketNotEmpty');
    await client.send(new DeleteObjectCommand({ Bucket: 'archive', Key: 'a.txt' }));
    await client.send(new DeleteBucketCommand({ Bucket: 'archive' }));
    expect((await client.send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);
    await expect(client.send(new DeleteBucketCommand({ Bucket: 'archive' }))).rejects.toBeInstanceOf(
      NoSuchBucket,
    );
  });

  it('stores an object as the file at its key, with its ETag, type, metadata and the clock as LastModified', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'archive' }));
    const body = '{"event_id":"1"}\n';
    const { ETag } = await client.send(
      new PutObjectCommand({
        Bucket: 'archive',
        Key: 'events/event_date=2026-12-03/part 1.json',
        Body: body,
        ContentType: 'application/json',
        Metadata: { source: 'test' },
      }),
    );
    expect(ETag).toBe(`"${createHash('md5').update(body).digest('hex')}"`);
    const path = s3ObjectPath(stateDir, 'archive', 'events/event_date=2026-12-03/part 1.json');
    expect(readFileSync(path, 'utf8')).toBe(body);
    expect(s3KeyOfPath(stateDir, 'archive', path)).toBe('events/event_date=2026-12-03/part 1.json');

    const got = await client.send(
      new GetObjectCommand({ Bucket: 'archive', Key: 'events/event_date=2026-12-03/part 1.json' }),
    );
    expect(await got.Body?.transformToString()).toBe(body);
    expect(got).toMatchObject({
      ETag,
      ContentType: 'application/json',
      ContentLength: body.length,
      Metadata: { source: 'test' },
      LastModified: new Date(START),
    });
    const head = await client.send(
      new HeadObjectCommand({ Bucket: 'archive', Key: 'events/event_date=2026-12-03/part 1.json' }),
    );
    expect(head).toMatchObject({ ETag, ContentLength: body.length });

    await expect(
      client.send(new GetObjectCommand({ Bucket: 'archive', Key: 'nope' })),
    ).rejects.toBeInstanceOf(NoSuchKey);
    await expect(
      client.send(new HeadObjectCommand({ Bucket: 'archive', Key: 'nope' })),
    ).rejects.toBeInstanceOf(NotFound);
    await expect(client.send(new GetObjectCommand({ Bucket: 'missing', Key: 'x' }))).rejects.toBeInstanceOf(
      NoSuchBucket,
    );
  });

  it('stores a streamed upload (aws-chunked with a trailing checksum) as its bytes', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'archive' }));
    const content = Buffer.from('streamed body '.repeat(1000));
    await client.send(
      new PutObjectCommand({
        Bucket: 'archive',
        Key: 'stream.txt',
        Body: Readable.from([content]),
        ContentLength: content.length,
      }),
    );
    expect(readFileSync(s3ObjectPath(stateDir, 'archive', 'stream.txt'))).toEqual(content);
  });

  it('reads a file written into the bucket folder by other means as an object', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'archive' }));
    const path = s3ObjectPath(stateDir, 'archive', 'events/x.json');
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, 'hello');
    const got = await client.send(new GetObjectCommand({ Bucket: 'archive', Key: 'events/x.json' }));
    expect(await got.Body?.transformToString()).toBe('hello');
    expect(got.ETag).toBe('"5d41402abc4b2a76b9719d911017c592"');
  });

  it('lists with Prefix, Delimiter, StartAfter and pages of MaxKeys', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'archive' }));
    const keys = [
      'athena-results/q1.csv',
      'events/event_date=2026-12-01/a.gz',
      'events/event_date=2026-12-02/b.gz',
      'events/event_date=2026-12-02/c.gz',
      'events/event_date=2026-12-03/d.gz',
      'readme.txt',
    ];
    for (const key of [...keys].reverse()) await put(key, key);

    const all = await client.send(new ListObjectsV2Command({ Bucket: 'archive' }));
    expect(keysOf(all.Contents)).toEqual(keys);
    expect(all.KeyCount).toBe(6);
    expect(all.Contents?.[0]).toMatchObject({ Size: keys[0]?.length, StorageClass: 'STANDARD' });

    const days = await client.send(
      new ListObjectsV2Command({ Bucket: 'archive', Prefix: 'events/', Delimiter: '/' }),
    );
    expect(days.Contents ?? []).toEqual([]);
    expect(days.CommonPrefixes?.map((common) => common.Prefix)).toEqual([
      'events/event_date=2026-12-01/',
      'events/event_date=2026-12-02/',
      'events/event_date=2026-12-03/',
    ]);
    const top = await client.send(new ListObjectsV2Command({ Bucket: 'archive', Delimiter: '/' }));
    expect(keysOf(top.Contents)).toEqual(['readme.txt']);
    expect(top.CommonPrefixes?.map((common) => common.Prefix)).toEqual(['athena-results/', 'events/']);

    const partial = await client.send(
      new ListObjectsV2Command({ Bucket: 'archive', Prefix: 'events/event_date=2026-12-0' }),
    );
    expect(partial.KeyCount).toBe(4);
    const after = await client.send(
      new ListObjectsV2Command({ Bucket: 'archive', StartAfter: 'events/event_date=2026-12-02/b.gz' }),
    );
    expect(keysOf(after.Contents)).toEqual(keys.slice(3));

    const paged: string[][] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: 'archive', MaxKeys: 2, ContinuationToken: token }),
      );
      paged.push(keysOf(page.Contents).map(String));
      token = page.NextContinuationToken;
      expect(page.IsTruncated).toBe(token !== undefined);
    } while (token);
    expect(paged).toEqual([keys.slice(0, 2), keys.slice(2, 4), keys.slice(4, 6)]);
  });

  it('pages over common prefixes without repeating one', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'archive' }));
    for (const key of ['d1/a', 'd1/b', 'd2/a', 'd3/a', 'top']) await put(key, key);
    const entries: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: 'archive', Delimiter: '/', MaxKeys: 1, ContinuationToken: token }),
      );
      entries.push(
        ...(page.CommonPrefixes ?? []).map((common) => common.Prefix ?? ''),
        ...keysOf(page.Contents).map(String),
      );
      token = page.NextContinuationToken;
    } while (token);
    expect(entries).toEqual(['d1/', 'd2/', 'd3/', 'top']);
  });

  it('deletes many objects at once and removes emptied folders', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'archive' }));
    await put('events/a & b.gz', 'x');
    await put('events/c.gz', 'y');
    const { Deleted } = await client.send(
      new DeleteObjectsCommand({
        Bucket: 'archive',
        Delete: { Objects: [{ Key: 'events/a & b.gz' }, { Key: 'events/c.gz' }, { Key: 'never-there' }] },
      }),
    );
    expect(Deleted?.map((item) => item.Key)).toEqual(['events/a & b.gz', 'events/c.gz', 'never-there']);
    expect((await client.send(new ListObjectsV2Command({ Bucket: 'archive' }))).KeyCount).toBe(0);
    expect(() => readFileSync(join(stateDir, 's3', 'archive', 'events'))).toThrow(/ENOENT/);
  });

  it('refuses keys that cannot be files and operations it does not emulate', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'archive' }));
    const invalid = await put('a/../b', 'x').catch((error) => error);
    expect((invalid as S3ServiceException).name).toBe('InvalidArgument');
    const notImplemented = await client
      .send(new GetObjectCommand({ Bucket: 'archive', Key: 'a', VersionId: 'v1' }))
      .catch((error) => error);
    expect((notImplemented as S3ServiceException).name).toBe('NotImplemented');
  });

  it('answers virtual-hosted requests (bucket in the Host, as the SDK sends for a localhost endpoint)', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'archive' }));
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port: edge.port,
          method: 'PUT',
          path: '/logs/v.txt',
          headers: {
            host: `archive.localhost:${edge.port}`,
            authorization: `AWS4-HMAC-SHA256 Credential=test/20261203/${account.region}/s3/aws4_request, SignedHeaders=host, Signature=0`,
          },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode);
        },
      );
      request.on('error', reject);
      request.end('virtual');
    });
    expect(status).toBe(200);
    expect(readFileSync(s3ObjectPath(stateDir, 'archive', 'logs/v.txt'), 'utf8')).toBe('virtual');
  });
});
