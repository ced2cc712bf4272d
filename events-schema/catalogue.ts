/**
 * The event catalogue, read from the JSON Schemas in this folder (the source of truth).
 *
 * Each `<area>/<DetailType>.json` describes the `detail` of one event whose source is `aurora.<area>`.
 * Shared types live in `definitions.json`; `loadEventCatalogue` inlines the ones each schema uses, so every
 * schema handed to the validator generator or to the EventBridge Schema Registry stands alone.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type JsonSchema = { [keyword: string]: unknown };

export interface CatalogueEntry {
  /** e.g. `aurora.messenger` */
  readonly source: string;
  /** e.g. `MessageReceived` */
  readonly detailType: string;
  /** Path of the schema file relative to this folder. */
  readonly file: string;
  /** The detail's schema, self-contained (Draft 4). */
  readonly detailSchema: JsonSchema;
  /** The whole EventBridge event, as the Schema Registry expects it (Draft 4). */
  readonly eventSchema: JsonSchema;
}

export const SCHEMA_FOLDER = dirname(fileURLToPath(import.meta.url));
const SHARED_FILE = 'definitions.json';
const AREAS = ['messenger', 'auth', 'reminders', 'admin'] as const;

const readJson = (path: string): JsonSchema => JSON.parse(readFileSync(path, 'utf8')) as JsonSchema;

/** The shared types of `definitions.json`, by name. */
export function loadSharedDefinitions(folder: string = SCHEMA_FOLDER): Record<string, JsonSchema> {
  return (readJson(join(folder, SHARED_FILE)).definitions ?? {}) as Record<string, JsonSchema>;
}

export function loadEventCatalogue(folder: string = SCHEMA_FOLDER): CatalogueEntry[] {
  const shared = loadSharedDefinitions(folder);
  const entries: CatalogueEntry[] = [];
  for (const area of AREAS) {
    const areaFolder = join(folder, area);
    if (!statSync(areaFolder, { throwIfNoEntry: false })?.isDirectory()) continue;
    for (const file of readdirSync(areaFolder)
      .filter((name) => name.endsWith('.json'))
      .sort()) {
      const detailType = file.slice(0, -'.json'.length);
      const source = `aurora.${area}`;
      const detailSchema = inlineSharedDefinitions(readJson(join(areaFolder, file)), shared);
      if (detailSchema.title !== detailType) {
        throw new Error(`${area}/${file}: title must be "${detailType}", the file's name`);
      }
      entries.push({
        source,
        detailType,
        file: `${area}/${file}`,
        detailSchema,
        eventSchema: envelope(source, detailType, detailSchema),
      });
    }
  }
  return entries;
}

/** Rewrites `definitions.json#/definitions/X` to `#/definitions/X` and copies X (and what X uses) in. */
function inlineSharedDefinitions(schema: JsonSchema, shared: Record<string, JsonSchema>): JsonSchema {
  const used = new Map<string, JsonSchema>();
  /** The local reference to a shared definition, copying the definition in on first use. */
  const localReference = (reference: string): string => {
    const name = /^(?:definitions\.json)?#\/definitions\/(\w+)$/.exec(reference)?.[1];
    const definition = name === undefined ? undefined : shared[name];
    if (name === undefined || definition === undefined)
      throw new Error(`Unknown schema reference ${reference}`);
    if (!used.has(name)) {
      // Marked before its own references are rewritten, so a definition that refers to itself ends.
      used.set(name, {});
      used.set(name, rewrite(definition) as JsonSchema);
    }
    return `#/definitions/${name}`;
  };
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [
        key,
        key === '$ref' && typeof value === 'string' ? localReference(value) : rewrite(value),
      ]),
    );
  };
  const body = rewrite(schema) as JsonSchema;
  const definitions = Object.fromEntries([...used.entries()].sort(([a], [b]) => a.localeCompare(b)));
  return used.size > 0 ? { ...body, definitions } : body;
}

/** The detail wrapped in an EventBridge event, with the detail's definitions hoisted to the top. */
function envelope(source: string, detailType: string, detailSchema: JsonSchema): JsonSchema {
  const { definitions, $schema, ...detail } = detailSchema;
  return {
    $schema,
    title: detailType,
    description: detail.description,
    type: 'object',
    required: ['source', 'detail-type', 'detail'],
    properties: {
      version: { type: 'string' },
      id: { type: 'string' },
      account: { type: 'string' },
      time: { type: 'string' },
      region: { type: 'string' },
      resources: { type: 'array', items: { type: 'string' } },
      source: { type: 'string', enum: [source] },
      'detail-type': { type: 'string', enum: [detailType] },
      detail: { $ref: `#/definitions/${detailType}` },
    },
    definitions: { ...(definitions as Record<string, JsonSchema> | undefined), [detailType]: detail },
  };
}
