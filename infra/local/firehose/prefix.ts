/**
 * Firehose's S3 prefix expressions: `!{timestamp:<Java DateTimeFormatter pattern>}` (UTC, the arrival time of
 * the oldest record in the object), `!{partitionKeyFromQuery:<key>}`, `!{firehose:error-output-type}` and
 * `!{firehose:random-string}`. Compiled at deploy, so an expression the local cloud cannot evaluate refuses
 * the stream instead of writing objects under a wrong prefix.
 */
import { randomBytes } from 'node:crypto';
import { NotEmulatedLocally } from '../deployer/deploy';

export interface PrefixValues {
  /** Arrival time (epoch ms) of the oldest record in the object. */
  readonly arrivedAt: number;
  readonly partitionKeys?: Readonly<Record<string, string>>;
  readonly errorOutputType?: string;
}

export type PrefixTemplate = (values: PrefixValues) => string;

const EXPRESSION = /!\{([A-Za-z]+):([^}]*)\}/g;
/** The DateTimeFormatter letters the local cloud formats; other letters are refused at deploy. */
const TIME_FIELDS = /yyyy|MM|dd|HH|mm|ss/g;

export interface CompiledPrefix {
  readonly template: PrefixTemplate;
  readonly partitionKeys: readonly string[];
  readonly usesTimestamp: boolean;
}

export function compilePrefix(prefix: string): CompiledPrefix {
  const partitionKeys: string[] = [];
  let usesTimestamp = false;
  for (const [whole, namespace = '', value = ''] of prefix.matchAll(EXPRESSION)) {
    switch (namespace) {
      case 'timestamp':
        if (value.replace(TIME_FIELDS, '').match(/[A-Za-z]/)) throw notEmulated(whole);
        usesTimestamp = true;
        break;
      case 'partitionKeyFromQuery':
        partitionKeys.push(value);
        break;
      case 'firehose':
        if (value !== 'error-output-type' && value !== 'random-string') throw notEmulated(whole);
        break;
      default:
        throw notEmulated(whole);
    }
  }
  const template: PrefixTemplate = (values) =>
    prefix.replace(EXPRESSION, (whole, namespace: string, value: string) => {
      switch (namespace) {
        case 'timestamp':
          return formatUtc(values.arrivedAt, value);
        case 'partitionKeyFromQuery': {
          const key = values.partitionKeys?.[value];
          if (key === undefined) throw new Error(`partition key ${value} has no value`);
          return key;
        }
        default:
          if (value === 'random-string') return randomBytes(6).toString('hex');
          return values.errorOutputType ?? whole;
      }
    });
  return { template, partitionKeys, usesTimestamp };
}

/** `yyyy/MM/dd/HH/` for the default prefix, `yyyy-MM-dd-HH-mm-ss` for object names. */
export function formatUtc(epochMs: number, pattern: string): string {
  const date = new Date(epochMs);
  const fields: Record<string, string> = {
    yyyy: String(date.getUTCFullYear()).padStart(4, '0'),
    MM: String(date.getUTCMonth() + 1).padStart(2, '0'),
    dd: String(date.getUTCDate()).padStart(2, '0'),
    HH: String(date.getUTCHours()).padStart(2, '0'),
    mm: String(date.getUTCMinutes()).padStart(2, '0'),
    ss: String(date.getUTCSeconds()).padStart(2, '0'),
  };
  return pattern.replace(TIME_FIELDS, (field) => fields[field] ?? field);
}

function notEmulated(expression: string): NotEmulatedLocally {
  return new NotEmulatedLocally(
    `Firehose prefix expression ${expression} is not emulated locally (timestamp with yyyy MM dd HH mm ss, partitionKeyFromQuery, firehose:error-output-type, firehose:random-string)`,
  );
}
