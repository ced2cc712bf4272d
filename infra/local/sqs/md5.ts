/**
 * The MD5 digests SQS returns with a message. SDK v3 recomputes MD5OfMessageBody and rejects a mismatch;
 * MD5OfMessageAttributes follows SQS's documented encoding so that clients that check it agree too.
 */
import { createHash } from 'node:crypto';

export interface MessageAttributeValue {
  readonly DataType: string;
  readonly StringValue?: string;
  /** Base64, as the JSON protocol carries blobs. */
  readonly BinaryValue?: string;
}

export type MessageAttributes = Readonly<Record<string, MessageAttributeValue>>;

export function md5OfBody(body: string): string {
  return createHash('md5').update(body, 'utf8').digest('hex');
}

/**
 * For each attribute, ordered by name: name, data type (each as a 4-byte big-endian length and UTF-8 bytes),
 * one transport byte (1 string, 2 binary) and the value (length and bytes).
 */
export function md5OfAttributes(attributes: MessageAttributes): string {
  const hash = createHash('md5');
  for (const name of Object.keys(attributes).sort()) {
    const value = attributes[name];
    if (!value) continue;
    hash.update(lengthPrefixed(Buffer.from(name, 'utf8')));
    hash.update(lengthPrefixed(Buffer.from(value.DataType, 'utf8')));
    const binary = value.BinaryValue !== undefined;
    hash.update(Buffer.of(binary ? 2 : 1));
    const bytes = binary
      ? Buffer.from(value.BinaryValue ?? '', 'base64')
      : Buffer.from(value.StringValue ?? '', 'utf8');
    hash.update(lengthPrefixed(bytes));
  }
  return hash.digest('hex');
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}
