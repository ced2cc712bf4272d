/**
 * The local S3 on the edge (restXml), found by the SigV4 signing name `s3`. SDK v3 addresses a bucket in the
 * path when the endpoint is an IP address (`http://127.0.0.1:4566/<bucket>/<key>`) or `forcePathStyle` is set,
 * and in the host otherwise (`<bucket>.localhost:4566`): both are answered.
 *
 * Emulated: CreateBucket, HeadBucket, DeleteBucket, ListBuckets, GetBucketLocation, PutObject, GetObject,
 * HeadObject, DeleteObject, DeleteObjects, ListObjectsV2. Anything else answers NotImplemented (501).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeleteObjectsRequest, ListObjectsV2Request, PutObjectRequest } from '@aws-sdk/client-s3';
import type { Clock } from '../clock';
import { AwsServiceError, type HttpService } from '../edge/contracts';
import { escapeXml } from '../edge/protocols';
import { decodeAwsChunked, isAwsChunked } from './aws-chunked';
import { notImplemented, S3Error, sendS3Error } from './errors';
import { type ObjectInfo, S3Store } from './store';

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const OWNER = '<Owner><ID>000000000000</ID><DisplayName>local</DisplayName></Owner>';
const USER_METADATA = 'x-amz-meta-';
/** Query parameters that select no sub-resource: SDK v3's operation marker and response header overrides. */
const PLAIN_QUERY = /^(x-id|response-.*)$/;
const LIST_QUERY = new Set([
  'list-type',
  'prefix',
  'delimiter',
  'max-keys',
  'continuation-token',
  'start-after',
  'encoding-type',
  'fetch-owner',
  'x-id',
]);
const VIRTUAL_HOST = /^(.+?)\.(?:localhost|s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com)$/;

interface S3Reply {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string | number>>;
  readonly body?: string | Buffer;
}

interface Addressed {
  readonly bucket?: string;
  readonly key?: string;
  readonly query: URLSearchParams;
}

export interface S3ServiceOptions {
  readonly stateDir: string;
  readonly clock: Clock;
  readonly region: string;
}

export class S3Service implements HttpService {
  readonly protocol = 'http';
  readonly signingName = 's3';
  readonly store: S3Store;
  private readonly region: string;

  constructor(options: S3ServiceOptions) {
    this.store = new S3Store(options.stateDir, options.clock);
    this.region = options.region;
  }

  handle = (request: IncomingMessage, response: ServerResponse, body: Buffer): void => {
    const requestId = String(response.getHeader('x-amz-request-id') ?? '');
    try {
      const reply = this.answer(request, addressOf(request), body);
      response.statusCode = reply.status ?? 200;
      for (const [name, value] of Object.entries(reply.headers ?? {})) response.setHeader(name, value);
      if (reply.body === undefined || request.method === 'HEAD') {
        if (!response.hasHeader('Content-Length')) response.setHeader('Content-Length', 0);
        response.end();
        return;
      }
      if (!response.hasHeader('Content-Type')) response.setHeader('Content-Type', 'application/xml');
      response.setHeader('Content-Length', Buffer.byteLength(reply.body));
      response.end(reply.body);
    } catch (error) {
      const known =
        error instanceof AwsServiceError
          ? error
          : new S3Error('InternalError', 'We encountered an internal error. Please try again.', 500);
      if (!(error instanceof AwsServiceError)) console.error(`s3: request ${requestId} failed`, error);
      sendS3Error(response, known, requestId, request.method);
    }
  };

  private answer(request: IncomingMessage, { bucket, key, query }: Addressed, body: Buffer): S3Reply {
    const method = request.method ?? 'GET';
    if (bucket === undefined) {
      if (method === 'GET') return this.listBuckets();
      throw notImplemented(`${method} /`);
    }
    if (key === undefined) return this.bucketOperation(method, bucket, query, body);
    const subresource = [...query.keys()].find((name) => !PLAIN_QUERY.test(name));
    if (subresource) throw notImplemented(`?${subresource} on an object`);
    switch (method) {
      case 'PUT': {
        if (request.headers['x-amz-copy-source']) throw notImplemented('CopyObject');
        const content = isAwsChunked(request.headers) ? decodeAwsChunked(body) : body;
        return this.putObject(putInput(request, bucket, key), content);
      }
      case 'GET': {
        const { info, body: content } = this.store.getObject(bucket, key);
        return { headers: objectHeaders(info), body: content };
      }
      case 'HEAD':
        return { headers: objectHeaders(this.store.headObject(bucket, key)) };
      case 'DELETE':
        this.store.deleteObject(bucket, key);
        return { status: 204 };
      default:
        throw notImplemented(`${method} on an object`);
    }
  }

  private bucketOperation(method: string, bucket: string, query: URLSearchParams, body: Buffer): S3Reply {
    const names = [...query.keys()].filter((name) => name !== 'x-id');
    if (method === 'GET' && query.get('list-type') === '2' && names.every((name) => LIST_QUERY.has(name)))
      return this.listObjectsV2(listInput(bucket, query));
    if (method === 'GET' && names.length === 1 && names[0] === 'location') {
      this.store.requireBucket(bucket);
      // us-east-1 is the one region S3 reports as an empty LocationConstraint.
      const region = this.region === 'us-east-1' ? '' : escapeXml(this.region);
      return { body: `<LocationConstraint xmlns="${XMLNS}">${region}</LocationConstraint>` };
    }
    if (method === 'POST' && names.length === 1 && names[0] === 'delete')
      return this.deleteObjects(deleteInput(bucket, body));
    if (names.length > 0) throw notImplemented(`?${names[0]} on a bucket`);
    switch (method) {
      case 'PUT':
        this.store.createBucket(bucket);
        return { headers: { Location: `/${bucket}` } };
      case 'HEAD':
        this.store.requireBucket(bucket);
        return { headers: { 'x-amz-bucket-region': this.region } };
      case 'DELETE':
        this.store.deleteBucket(bucket);
        return { status: 204 };
      default:
        throw notImplemented(`${method} on a bucket (only ListObjectsV2 lists)`);
    }
  }

  private listBuckets(): S3Reply {
    const buckets = this.store
      .listBuckets()
      .map(
        ({ name, created }) =>
          `<Bucket><Name>${escapeXml(name)}</Name><CreationDate>${created.toISOString()}</CreationDate></Bucket>`,
      )
      .join('');
    return {
      body: `<ListAllMyBucketsResult xmlns="${XMLNS}">${OWNER}<Buckets>${buckets}</Buckets></ListAllMyBucketsResult>`,
    };
  }

  private putObject(input: Omit<PutObjectRequest, 'Body'>, content: Buffer): S3Reply {
    const info = this.store.putObject(input.Bucket ?? '', input.Key ?? '', content, {
      ...(input.ContentType ? { contentType: input.ContentType } : {}),
      metadata: input.Metadata ?? {},
    });
    return { headers: { ETag: info.etag } };
  }

  private listObjectsV2(input: ListObjectsV2Request): S3Reply {
    const bucket = input.Bucket ?? '';
    const prefix = input.Prefix ?? '';
    const delimiter = input.Delimiter;
    const maxKeys = input.MaxKeys ?? 1000;
    if (!Number.isInteger(maxKeys) || maxKeys < 0) {
      throw new S3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range', 400);
    }
    const token = input.ContinuationToken;
    const startAfter = input.StartAfter;
    const after = token !== undefined ? decodeToken(token) : startAfter;
    const page = this.store.list(bucket, {
      prefix,
      ...(delimiter ? { delimiter } : {}),
      maxKeys: Math.min(maxKeys, 1000),
      ...(after !== undefined ? { after } : {}),
    });
    const urlEncoded = input.EncodingType === 'url';
    const text = (value: string) =>
      escapeXml(urlEncoded ? encodeURIComponent(value).replace(/%2F/g, '/') : value);
    const contents = page.objects
      .map(
        (object) =>
          `<Contents><Key>${text(object.key)}</Key><LastModified>${object.lastModified.toISOString()}</LastModified>` +
          `<ETag>${escapeXml(object.etag)}</ETag><Size>${object.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
      )
      .join('');
    const prefixes = page.commonPrefixes
      .map((common) => `<CommonPrefixes><Prefix>${text(common)}</Prefix></CommonPrefixes>`)
      .join('');
    const optional = (name: string, value: string | undefined) =>
      value === undefined
        ? ''
        : `<${name}>${name === 'ContinuationToken' || name === 'NextContinuationToken' ? escapeXml(value) : text(value)}</${name}>`;
    const xml =
      `<ListBucketResult xmlns="${XMLNS}"><Name>${escapeXml(bucket)}</Name><Prefix>${text(prefix)}</Prefix>` +
      optional('Delimiter', delimiter) +
      `<MaxKeys>${maxKeys}</MaxKeys><KeyCount>${page.objects.length + page.commonPrefixes.length}</KeyCount>` +
      `<IsTruncated>${page.truncated}</IsTruncated>` +
      optional('ContinuationToken', token) +
      optional(
        'NextContinuationToken',
        page.truncated && page.last !== undefined ? encodeToken(page.last) : undefined,
      ) +
      optional('StartAfter', startAfter) +
      (urlEncoded ? '<EncodingType>url</EncodingType>' : '') +
      contents +
      prefixes +
      '</ListBucketResult>';
    return { body: xml };
  }

  private deleteObjects(input: DeleteObjectsRequest): S3Reply {
    const bucket = input.Bucket ?? '';
    this.store.requireBucket(bucket);
    const quiet = input.Delete?.Quiet === true;
    const keys = (input.Delete?.Objects ?? []).map((object) => object.Key ?? '');
    if (keys.length > 1000) {
      throw new S3Error(
        'MalformedXML',
        'The XML you provided was not well-formed or did not validate against our published schema',
        400,
      );
    }
    const results = keys.map((key) => {
      try {
        this.store.deleteObject(bucket, key);
        return quiet ? '' : `<Deleted><Key>${escapeXml(key)}</Key></Deleted>`;
      } catch (error) {
        const { code, message } =
          error instanceof AwsServiceError ? error : { code: 'InternalError', message: String(error) };
        return `<Error><Key>${escapeXml(key)}</Key><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>`;
      }
    });
    return { body: `<DeleteResult xmlns="${XMLNS}">${results.join('')}</DeleteResult>` };
  }
}

function addressOf(request: IncomingMessage): Addressed {
  // The path is split by hand: URL parsing would resolve `.` and `..` segments, which are part of S3 keys.
  const url = request.url ?? '/';
  const queryStart = url.indexOf('?');
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  const host = (request.headers.host ?? '').replace(/:\d+$/, '');
  const hosted = VIRTUAL_HOST.exec(host)?.[1];
  const segments = path.split('/').slice(1);
  const [first = '', ...rest] = hosted ? ['', ...segments] : segments;
  const bucket = hosted ?? (first === '' ? undefined : decodeURIComponent(first));
  const keyText = (hosted ? segments : rest).join('/');
  return {
    ...(bucket === undefined ? {} : { bucket }),
    ...(keyText === '' ? {} : { key: decodeURIComponent(keyText) }),
    query: new URLSearchParams(queryStart === -1 ? '' : url.slice(queryStart + 1)),
  };
}

/** The route's decoding of a PutObject request into its SDK input (the body is passed on as bytes). */
function putInput(request: IncomingMessage, bucket: string, key: string): Omit<PutObjectRequest, 'Body'> {
  const contentType = request.headers['content-type'];
  return {
    Bucket: bucket,
    Key: key,
    ...(contentType ? { ContentType: contentType } : {}),
    Metadata: userMetadata(request),
  };
}

function listInput(bucket: string, query: URLSearchParams): ListObjectsV2Request {
  return {
    Bucket: bucket,
    Prefix: query.get('prefix') ?? undefined,
    Delimiter: query.get('delimiter') || undefined,
    MaxKeys: query.has('max-keys') ? Number(query.get('max-keys')) : undefined,
    ContinuationToken: query.get('continuation-token') ?? undefined,
    StartAfter: query.get('start-after') ?? undefined,
    EncodingType: query.get('encoding-type') === 'url' ? 'url' : undefined,
  };
}

/** DeleteObjects' XML body: the keys, and whether only errors are reported. */
function deleteInput(bucket: string, body: Buffer): DeleteObjectsRequest {
  const xml = body.toString('utf8');
  const objects = [...xml.matchAll(/<Object>([\s\S]*?)<\/Object>/g)].map((match) => ({
    Key: unescapeXml(/<Key>([\s\S]*?)<\/Key>/.exec(match[1] ?? '')?.[1] ?? ''),
  }));
  return { Bucket: bucket, Delete: { Objects: objects, Quiet: /<Quiet>\s*true\s*<\/Quiet>/.test(xml) } };
}

function userMetadata(request: IncomingMessage): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.startsWith(USER_METADATA) && typeof value === 'string')
      metadata[name.slice(USER_METADATA.length)] = value;
  }
  return metadata;
}

function objectHeaders(info: ObjectInfo): Record<string, string | number> {
  const headers: Record<string, string | number> = {
    'Content-Type': info.contentType,
    'Content-Length': info.size,
    ETag: info.etag,
    'Last-Modified': info.lastModified.toUTCString(),
    'Accept-Ranges': 'bytes',
  };
  for (const [name, value] of Object.entries(info.metadata)) headers[`${USER_METADATA}${name}`] = value;
  return headers;
}

const encodeToken = (key: string): string => Buffer.from(key, 'utf8').toString('base64');

function decodeToken(token: string): string {
  const key = Buffer.from(token, 'base64').toString('utf8');
  if (key === '' || encodeToken(key) !== token) {
    throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', 400);
  }
  return key;
}

const XML_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)));
    return XML_ENTITIES[entity] ?? whole;
  });
}
