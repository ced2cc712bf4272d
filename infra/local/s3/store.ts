/**
 * The local S3's storage: bucket `b` is the folder `<stateDir>/s3/b/` and each object the file at its key, so
 * other local services (Athena's DuckDB, Firehose) and people read objects as plain files. What a file cannot
 * hold (ETag, content type, user metadata) is kept in a sidecar under `<stateDir>/s3-metadata/`, outside the
 * bucket folders, so a glob over a bucket sees only objects. A file put there by other means is an object
 * too: its ETag is then computed from its bytes.
 *
 * Writes are atomic (a temporary file, then rename), so a crash leaves an object whole or absent.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  type Dirent,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  type Stats,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { Clock } from '../clock';
import { readJsonOr, writeJsonAtomic } from '../shared/persistence';
import { S3Error } from './errors';

/** The folder of a bucket. */
export function s3BucketDirectory(stateDir: string, bucket: string): string {
  return join(stateDir, 's3', bucket);
}

/** The file that holds an object: the key is its path relative to the bucket's folder. */
export function s3ObjectPath(stateDir: string, bucket: string, key: string): string {
  return join(s3BucketDirectory(stateDir, bucket), ...key.split('/'));
}

/** The key of the object at `path`, a file inside the bucket's folder. */
export function s3KeyOfPath(stateDir: string, bucket: string, path: string): string {
  const directory = `${s3BucketDirectory(stateDir, bucket)}/`;
  if (!path.startsWith(directory)) throw new RangeError(`${path} is not inside bucket ${bucket}`);
  return path.slice(directory.length).split(/[\\/]/).join('/');
}

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  /** With its quotes, as S3 sends it: `"<md5 hex>"`. */
  readonly etag: string;
  readonly lastModified: Date;
  readonly contentType: string;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface PutOptions {
  readonly contentType?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface ListOptions {
  readonly prefix?: string;
  readonly delimiter?: string;
  readonly maxKeys?: number;
  /** Keys after this one (StartAfter, or the last key of the previous page). */
  readonly after?: string;
}

export interface ListPage {
  readonly objects: readonly ObjectInfo[];
  readonly commonPrefixes: readonly string[];
  readonly truncated: boolean;
  /** The last key or common prefix of this page, from which the next page continues. */
  readonly last?: string;
}

interface Sidecar {
  readonly key: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly etag: string;
  readonly contentType: string;
  readonly metadata: Record<string, string>;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const MAX_KEY_BYTES = 1024;
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** Whether a page that ended at `after` (a key or a common prefix) already covered `key`. */
function listedBefore(key: string, after: string, delimiter: string | undefined): boolean {
  if (compareKeys(key, after) <= 0) return true;
  // A page that ended on a common prefix continues after every key under it.
  return delimiter !== undefined && delimiter !== '' && after.endsWith(delimiter) && key.startsWith(after);
}

export class S3Store {
  private readonly root: string;
  private readonly metadataRoot: string;
  private readonly bucketsFile: string;
  private readonly created: Record<string, number>;

  constructor(
    private readonly stateDir: string,
    private readonly clock: Clock,
  ) {
    this.root = join(stateDir, 's3');
    this.metadataRoot = join(stateDir, 's3-metadata');
    this.bucketsFile = join(this.metadataRoot, 'buckets.json');
    this.created = readJsonOr<Record<string, number>>(this.bucketsFile, {});
  }

  objectPath(bucket: string, key: string): string {
    return s3ObjectPath(this.stateDir, bucket, key);
  }

  createBucket(bucket: string): void {
    if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) {
      throw new S3Error('InvalidBucketName', 'The specified bucket is not valid.', 400, {
        BucketName: bucket,
      });
    }
    if (this.bucketExists(bucket)) {
      throw new S3Error(
        'BucketAlreadyOwnedByYou',
        'Your previous request to create the named bucket succeeded and you already own it.',
        409,
        { BucketName: bucket },
      );
    }
    mkdirSync(s3BucketDirectory(this.stateDir, bucket), { recursive: true });
    this.created[bucket] = this.clock.now();
    writeJsonAtomic(this.bucketsFile, this.created);
  }

  /** CreateBucket that keeps an existing bucket and its objects (a redeploy). */
  ensureBucket(bucket: string): void {
    if (!this.bucketExists(bucket)) this.createBucket(bucket);
  }

  bucketExists(bucket: string): boolean {
    if (!BUCKET_NAME.test(bucket)) return false;
    try {
      return statSync(s3BucketDirectory(this.stateDir, bucket)).isDirectory();
    } catch {
      return false;
    }
  }

  requireBucket(bucket: string): void {
    if (!this.bucketExists(bucket)) {
      throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: bucket });
    }
  }

  listBuckets(): Array<{ name: string; created: Date }> {
    let entries: Dirent[];
    try {
      entries = readdirSync(this.root, { withFileTypes: true });
    } catch {
      return [];
    }
    return entries
      .filter((entry) => entry.isDirectory() && BUCKET_NAME.test(entry.name))
      .map((entry) => ({
        name: entry.name,
        created: new Date(this.created[entry.name] ?? statSync(join(this.root, entry.name)).mtimeMs),
      }))
      .sort((a, b) => compareKeys(a.name, b.name));
  }

  deleteBucket(bucket: string): void {
    this.requireBucket(bucket);
    if (this.list(bucket, { maxKeys: 1 }).objects.length > 0) {
      throw new S3Error('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, {
        BucketName: bucket,
      });
    }
    rmSync(s3BucketDirectory(this.stateDir, bucket), { recursive: true, force: true });
    rmSync(join(this.metadataRoot, bucket), { recursive: true, force: true });
    delete this.created[bucket];
    writeJsonAtomic(this.bucketsFile, this.created);
  }

  putObject(bucket: string, key: string, body: Uint8Array, options: PutOptions = {}): ObjectInfo {
    this.requireBucket(bucket);
    checkKey(key);
    const path = this.objectPath(bucket, key);
    const temporary = join(this.metadataRoot, 'tmp', randomUUID());
    mkdirSync(dirname(temporary), { recursive: true });
    writeFileSync(temporary, body);
    // LastModified follows the local clock (a manual clock too), as every other timestamp does.
    const modified = new Date(this.clock.now());
    utimesSync(temporary, modified, modified);
    const sidecar: Sidecar = {
      key,
      size: body.byteLength,
      mtimeMs: statSync(temporary).mtimeMs,
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
      contentType: options.contentType ?? DEFAULT_CONTENT_TYPE,
      metadata: { ...options.metadata },
    };
    try {
      mkdirSync(dirname(path), { recursive: true });
      writeJsonAtomic(this.sidecarPath(bucket, key), sidecar);
      renameSync(temporary, path);
    } catch (error) {
      rmSync(temporary, { force: true });
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST') throw pathConflict(key);
      throw error;
    }
    return this.info(bucket, key, sidecar.mtimeMs, sidecar.size, sidecar);
  }

  headObject(bucket: string, key: string): ObjectInfo {
    this.requireBucket(bucket);
    const path = this.objectPath(bucket, key);
    const stats = validKey(key) ? statOrUndefined(path) : undefined;
    if (!stats?.isFile()) throw noSuchKey(key);
    return this.info(bucket, key, stats.mtimeMs, stats.size);
  }

  getObject(bucket: string, key: string): { info: ObjectInfo; body: Buffer } {
    const info = this.headObject(bucket, key);
    return { info, body: readFileSync(this.objectPath(bucket, key)) };
  }

  /** As S3: deleting a key that does not exist succeeds. */
  deleteObject(bucket: string, key: string): void {
    this.requireBucket(bucket);
    if (!validKey(key)) return;
    const path = this.objectPath(bucket, key);
    if (!statOrUndefined(path)?.isFile()) return;
    unlinkSync(path);
    rmSync(this.sidecarPath(bucket, key), { force: true });
    removeEmptyFolders(dirname(path), s3BucketDirectory(this.stateDir, bucket));
  }

  /** Objects in key order (UTF-8 byte order, as S3), grouped by `delimiter` after `prefix`. */
  list(bucket: string, options: ListOptions = {}): ListPage {
    this.requireBucket(bucket);
    const prefix = options.prefix ?? '';
    const { delimiter, after } = options;
    const maxKeys = options.maxKeys ?? 1000;
    const keys = this.keysUnder(bucket, prefix)
      .filter((key) => key.startsWith(prefix))
      .sort(compareKeys);
    const objects: ObjectInfo[] = [];
    const commonPrefixes: string[] = [];
    let last: string | undefined;
    let truncated = false;
    for (const key of keys) {
      if (after !== undefined && listedBefore(key, after, delimiter)) continue;
      const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      const entry = cut === -1 ? key : key.slice(0, cut + (delimiter?.length ?? 0));
      if (entry === last) continue;
      if (objects.length + commonPrefixes.length >= maxKeys) {
        truncated = true;
        break;
      }
      if (cut === -1) {
        const stats = statSync(this.objectPath(bucket, key));
        objects.push(this.info(bucket, key, stats.mtimeMs, stats.size));
      } else {
        commonPrefixes.push(entry);
      }
      last = entry;
    }
    return { objects, commonPrefixes, truncated, ...(last === undefined ? {} : { last }) };
  }

  private keysUnder(bucket: string, prefix: string): string[] {
    const bucketDirectory = s3BucketDirectory(this.stateDir, bucket);
    // Only the folder the prefix's complete segments name can hold matching keys.
    const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const keys: string[] = [];
    const walk = (directory: string, keyPrefix: string): void => {
      let entries: Dirent[];
      try {
        entries = readdirSync(directory, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const key = `${keyPrefix}${entry.name}`;
        if (entry.isDirectory()) {
          const folderKey = `${key}/`;
          if (folderKey.startsWith(prefix) || prefix.startsWith(folderKey))
            walk(join(directory, entry.name), folderKey);
        } else if (entry.isFile()) {
          keys.push(key);
        }
      }
    };
    walk(folder ? join(bucketDirectory, ...folder.slice(0, -1).split('/')) : bucketDirectory, folder);
    return keys;
  }

  private info(bucket: string, key: string, mtimeMs: number, size: number, known?: Sidecar): ObjectInfo {
    const sidecar = known ?? readJsonOr<Sidecar | undefined>(this.sidecarPath(bucket, key), undefined);
    // A sidecar describes the file only while the file is the one it was written with.
    const current = sidecar && sidecar.size === size && sidecar.mtimeMs === mtimeMs ? sidecar : undefined;
    return {
      key,
      size,
      etag:
        current?.etag ??
        `"${createHash('md5')
          .update(readFileSync(this.objectPath(bucket, key)))
          .digest('hex')}"`,
      lastModified: new Date(mtimeMs),
      contentType: current?.contentType ?? DEFAULT_CONTENT_TYPE,
      metadata: current?.metadata ?? {},
    };
  }

  private sidecarPath(bucket: string, key: string): string {
    return join(this.metadataRoot, bucket, `${createHash('sha256').update(key).digest('hex')}.json`);
  }
}

/** S3 orders keys by their UTF-8 bytes. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** A key maps to a file when none of its segments is empty, `.` or `..`. */
function validKey(key: string): boolean {
  return key.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

function checkKey(key: string): void {
  if (key === '' || Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw new S3Error('KeyTooLongError', 'Your key is too long', 400);
  }
  if (!validKey(key)) {
    throw new S3Error(
      'InvalidArgument',
      `The local S3 stores objects as files: key "${key}" has an empty, "." or ".." segment`,
      400,
    );
  }
}

const pathConflict = (key: string): S3Error =>
  new S3Error(
    'InvalidArgument',
    `The local S3 stores objects as files: key "${key}" would be both an object and a folder of other keys`,
    400,
  );

export const noSuchKey = (key: string): S3Error =>
  new S3Error('NoSuchKey', 'The specified key does not exist.', 404, { Key: key });

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function removeEmptyFolders(from: string, stopAt: string): void {
  for (let directory = from; directory.startsWith(`${stopAt}/`); directory = dirname(directory)) {
    try {
      rmdirSync(directory);
    } catch {
      return;
    }
  }
}
