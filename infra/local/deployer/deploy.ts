/**
 * Deploys CloudFormation templates onto the local cloud: resolves every intrinsic to local names and ARNs,
 * then hands each resource, in dependency order, to the provisioner registered for its type. A type with no
 * provisioner is reported as skipped, never dropped silently.
 */

import type { AssemblyStack, CfnResource } from './assembly';
import { identityOf } from './identities';
import { IntrinsicResolver, type ResourceIdentity, referencedLogicalIds, TemplateError } from './intrinsics';

export interface DeployedResource {
  readonly stackName: string;
  readonly logicalId: string;
  readonly type: string;
  readonly identity: ResourceIdentity;
  /** Properties with every intrinsic resolved. */
  readonly properties: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
  readonly assemblyDirectory: string;
}

/** Creates (or, on restart, re-creates idempotently) one resource in a local service. */
export type Provisioner = (resource: DeployedResource) => Promise<void> | void;

/**
 * Thrown by a provisioner for a resource of its type that it cannot run locally (a Python function): the
 * resource is reported as skipped, like a type with no provisioner, and the deploy goes on.
 */
export class NotEmulatedLocally extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'NotEmulatedLocally';
  }
}

export interface DeployOptions {
  readonly account: string;
  readonly region: string;
  readonly edgeUrl: string;
  readonly apiUrl: string;
  readonly provisioners: Readonly<Record<string, Provisioner>>;
  /** Values for template parameters, as `cdk deploy --parameters` gives them; others take their Default. */
  readonly parameterValues?: Readonly<Record<string, string>>;
  /** Types that exist only for AWS (alarms, dashboards, bootstrap metadata): accepted with no local effect. */
  readonly noLocalEffect: ReadonlySet<string>;
  /** Called once per stack with all of its resolved resources, before any is provisioned (API Gateway). */
  readonly onStackResolved?: (resources: readonly DeployedResource[]) => Promise<void> | void;
  readonly progress?: (line: string) => void;
}

export interface DeploymentReport {
  readonly resources: DeployedResource[];
  /** Types that are not emulated: listed, never dropped silently. */
  readonly skipped: Array<{ stackName: string; logicalId: string; type: string; reason?: string }>;
  /** Types accepted with no local effect (permissions, log groups, bootstrap metadata). */
  readonly accepted: Array<{ stackName: string; logicalId: string; type: string }>;
  readonly exports: Map<string, unknown>;
}

export async function deployStacks(
  stacks: readonly AssemblyStack[],
  options: DeployOptions,
): Promise<DeploymentReport> {
  const report: DeploymentReport = { resources: [], skipped: [], accepted: [], exports: new Map() };
  const progress = options.progress ?? (() => {});
  for (const stack of stacks) {
    const started = performance.now();
    const resources = resolveStack(stack, options, report.exports);
    await options.onStackResolved?.(resources);
    let provisioned = 0;
    for (const resource of resources) {
      const provisioner = options.provisioners[resource.type];
      if (provisioner) {
        try {
          await provisioner(resource);
        } catch (error) {
          if (error instanceof NotEmulatedLocally) {
            report.skipped.push({ ...where(stack, resource), reason: error.reason });
            report.resources.push(resource);
            continue;
          }
          throw new Error(
            `${stack.stackName}/${resource.logicalId} (${resource.type}): ${(error as Error).message}`,
            { cause: error },
          );
        }
        provisioned++;
      } else if (!options.noLocalEffect.has(resource.type)) {
        report.skipped.push(where(stack, resource));
      }
      report.resources.push(resource);
    }
    progress(
      `  ✓ ${stack.stackName}: ${provisioned} resources deployed` +
        ` (${Math.round(performance.now() - started)} ms)`,
    );
  }
  return report;
}

const where = (stack: AssemblyStack, resource: DeployedResource) => ({
  stackName: stack.stackName,
  logicalId: resource.logicalId,
  type: resource.type,
});

function resolveStack(
  stack: AssemblyStack,
  options: DeployOptions,
  exports: Map<string, unknown>,
): DeployedResource[] {
  const { template, stackName } = stack;
  const parameters = Object.fromEntries(
    Object.entries(template.Parameters ?? {}).map(([name, parameter]) => {
      const value = options.parameterValues?.[name] ?? parameter.Default ?? '';
      // As CloudFormation: a list parameter is given as comma-separated text and referenced as a list.
      const list = parameter.Type === 'CommaDelimitedList' || parameter.Type.startsWith('List<');
      return [
        name,
        list
          ? String(value)
              .split(',')
              .map((item) => item.trim())
          : value,
      ];
    }),
  );
  const identities = new Map<string, ResourceIdentity>();
  const resolver = new IntrinsicResolver({
    account: options.account,
    region: options.region,
    stackName,
    parameters,
    identities,
    exports,
    conditions: template.Conditions ?? {},
    mappings: template.Mappings ?? {},
  });

  const active = Object.entries(template.Resources ?? {}).filter(
    ([, resource]) => !resource.Condition || resolver.condition(resource.Condition, `Resources`),
  );
  const ordered = dependencyOrder(stackName, active);

  // Identities first (a name property may itself refer to another resource, hence the order), then
  // the full properties, which may refer to any identity.
  for (const [logicalId, resource] of ordered) {
    const nameProperties = resolveLeniently(resolver, resource.Properties ?? {});
    identities.set(
      logicalId,
      identityOf(resource.Type, logicalId, {
        account: options.account,
        region: options.region,
        stackName,
        edgeUrl: options.edgeUrl,
        apiUrl: options.apiUrl,
        properties: nameProperties,
      }),
    );
  }
  const resources = ordered.map(([logicalId, resource]): DeployedResource => {
    const identity = identities.get(logicalId) as ResourceIdentity;
    return {
      stackName,
      logicalId,
      type: resource.Type,
      identity,
      properties: resolver.resolve(resource.Properties ?? {}, `${stackName}/${logicalId}`) as Record<
        string,
        unknown
      >,
      metadata: resource.Metadata ?? {},
      assemblyDirectory: stack.assemblyDirectory,
    };
  });

  for (const [outputName, output] of Object.entries(template.Outputs ?? {})) {
    if (!output.Export) continue;
    const where = `${stackName}/Outputs/${outputName}`;
    exports.set(String(resolver.resolve(output.Export.Name, where)), resolver.resolve(output.Value, where));
  }
  return resources;
}

/** Only the plain (non-intrinsic) top-level properties: enough to read a name property early. */
function resolveLeniently(
  resolver: IntrinsicResolver,
  properties: Record<string, unknown>,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(properties)) {
    try {
      result[key] = resolver.resolve(value, key);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
    }
  }
  return result;
}

function dependencyOrder(
  stackName: string,
  resources: Array<[string, CfnResource]>,
): Array<[string, CfnResource]> {
  const byId = new Map(resources);
  const ordered: Array<[string, CfnResource]> = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (logicalId: string, path: string[]) => {
    const seen = state.get(logicalId);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      throw new TemplateError(stackName, `circular dependency: ${[...path, logicalId].join(' → ')}`);
    }
    const resource = byId.get(logicalId);
    if (!resource) return;
    state.set(logicalId, 'visiting');
    const dependsOn = [resource.DependsOn ?? []].flat();
    for (const dependency of [...dependsOn, ...referencedLogicalIds(resource.Properties ?? {})]) {
      if (byId.has(dependency)) visit(dependency, [...path, logicalId]);
    }
    state.set(logicalId, 'done');
    ordered.push([logicalId, resource]);
  };
  for (const [logicalId] of resources) visit(logicalId, []);
  return ordered;
}
