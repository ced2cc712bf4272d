/**
 * S3 locations (`s3://bucket/prefix/`) of tables and query results, as folders of the local S3
 * (`<stateDir>/s3/<bucket>/<key>`, infra/local/s3/store.ts).
 */
import { s3ObjectPath } from '../s3/store';

export interface S3Location {
  readonly bucket: string;
  /** The key prefix, without a leading slash; '' for the whole bucket. */
  readonly prefix: string;
}

export function parseS3Uri(uri: string): S3Location {
  const match = /^s3a?:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match?.[1]) throw new Error(`Not an S3 location: ${uri}`);
  return { bucket: match[1], prefix: match[2] ?? '' };
}

/** The folder that holds the objects under an `s3://bucket/prefix/` location. */
export function locationDirectory(stateDir: string, uri: string): string {
  const { bucket, prefix } = parseS3Uri(uri);
  return s3ObjectPath(stateDir, bucket, prefix);
}
