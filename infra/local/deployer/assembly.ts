/** Reads a synthesized CDK cloud assembly: its stacks in deployment order and their templates. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly Condition?: string;
  readonly Metadata?: Record<string, unknown>;
}

export interface CfnTemplate {
  readonly Parameters?: Record<string, { Type: string; Default?: unknown }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Resources?: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
}

export interface AssemblyStack {
  readonly stackName: string;
  readonly template: CfnTemplate;
  /** Folder of the assembly, where `asset.<hash>` directories live. */
  readonly assemblyDirectory: string;
}

interface Manifest {
  artifacts: Record<
    string,
    { type: string; dependencies?: string[]; properties?: { templateFile?: string; stackName?: string } }
  >;
}

interface AssetManifest {
  files?: Record<
    string,
    { source?: { path?: string }; destinations?: Record<string, { objectKey?: string }> }
  >;
}

/**
 * Where the asset published as `objectKey` (a function's Code.S3Key) sits in the assembly, from the assets
 * manifests: the local cloud runs the very files `cdk deploy` would upload.
 */
export function assetDirectory(assemblyDirectory: string, objectKey: string): string | undefined {
  for (const file of readdirSync(assemblyDirectory).filter((name) => name.endsWith('.assets.json'))) {
    const manifest = JSON.parse(readFileSync(join(assemblyDirectory, file), 'utf8')) as AssetManifest;
    for (const asset of Object.values(manifest.files ?? {})) {
      const published = Object.values(asset.destinations ?? {}).some(
        (destination) => destination.objectKey === objectKey,
      );
      if (published && asset.source?.path) return join(assemblyDirectory, asset.source.path);
    }
  }
  return undefined;
}

export function readAssembly(directory: string): AssemblyStack[] {
  const manifest = JSON.parse(readFileSync(join(directory, 'manifest.json'), 'utf8')) as Manifest;
  const stacks = Object.entries(manifest.artifacts).filter(
    ([, artifact]) => artifact.type === 'aws:cloudformation:stack',
  );
  const names = new Set(stacks.map(([id]) => id));
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (id: string) => {
    if (ordered.includes(id)) return;
    if (visiting.has(id)) throw new Error(`Stacks depend on each other in a cycle through ${id}`);
    visiting.add(id);
    for (const dependency of manifest.artifacts[id]?.dependencies ?? [])
      if (names.has(dependency)) visit(dependency);
    visiting.delete(id);
    ordered.push(id);
  };
  for (const [id] of stacks) visit(id);
  return ordered.map((id) => {
    const properties = manifest.artifacts[id]?.properties ?? {};
    return {
      stackName: properties.stackName ?? id,
      template: JSON.parse(
        readFileSync(join(directory, properties.templateFile ?? `${id}.template.json`), 'utf8'),
      ),
      assemblyDirectory: directory,
    };
  });
}
