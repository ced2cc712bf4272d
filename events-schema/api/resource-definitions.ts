/**
 * The REST API's schemas as one flat set of definitions: every definition of resources.json plus the shared
 * ones of definitions.json it uses (transitively), each `$ref` rewritten to point into that set.
 *
 * The JSON files are imported (not read from disk) so that esbuild bundles them into the calendar-api
 * Lambda, which builds its OpenAPI document from them; `npm run generate` uses the same set.
 */
import sharedSchema from '../definitions.json' with { type: 'json' };
import resourcesSchema from './resources.json' with { type: 'json' };

export type JsonSchema = { [keyword: string]: unknown };

const REFERENCE = /^(definitions\.json)?#\/definitions\/(\w+)$/;

/**
 * Resources first, in file order, then the shared definitions they use, by name. `refPrefix` is where the
 * set will live in the document that embeds it: `#/definitions/` or `#/components/schemas/`.
 */
export function resourceDefinitions(refPrefix: string): Record<string, JsonSchema> {
  const resources = resourcesSchema.definitions as Record<string, JsonSchema>;
  const shared = sharedSchema.definitions as Record<string, JsonSchema>;
  const usedShared = new Map<string, JsonSchema>();

  // `#/definitions/X` means X of the file the reference is in: `inShared` says which one that is.
  const rewrite = (node: unknown, inShared: boolean): unknown => {
    if (Array.isArray(node)) return node.map((item) => rewrite(item, inShared));
    if (node === null || typeof node !== 'object') return node;
    const result: JsonSchema = {};
    for (const [key, value] of Object.entries(node)) {
      result[key] =
        key === '$ref' && typeof value === 'string'
          ? rewriteReference(value, inShared)
          : rewrite(value, inShared);
    }
    return result;
  };
  const rewriteReference = (reference: string, inShared: boolean): string => {
    const [, file, name = ''] = REFERENCE.exec(reference) ?? [];
    const fromShared = file !== undefined || inShared;
    const target = fromShared ? shared[name] : resources[name];
    if (target === undefined) throw new Error(`resources.json: unknown schema reference ${reference}`);
    if (fromShared && !usedShared.has(name)) {
      if (Object.hasOwn(resources, name)) {
        throw new Error(`resources.json defines ${name}, which definitions.json defines too`);
      }
      // Reserve the name before descending, so that a cycle stops here.
      usedShared.set(name, {});
      usedShared.set(name, rewrite(target, true) as JsonSchema);
    }
    return `${refPrefix}${name}`;
  };

  const own = Object.fromEntries(
    Object.entries(resources).map(([name, schema]) => [name, rewrite(schema, false) as JsonSchema]),
  );
  const sharedInUse = [...usedShared.entries()].sort(([a], [b]) => a.localeCompare(b));
  return { ...own, ...Object.fromEntries(sharedInUse) };
}
