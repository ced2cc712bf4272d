/**
 * Resolves CloudFormation intrinsic functions and pseudo parameters to local values, as CloudFormation
 * would at deploy time: Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split, Fn::ImportValue,
 * Fn::If and the condition functions, Fn::FindInMap, Fn::Base64, Fn::GetAZs, Fn::ToJsonString.
 */
export const NO_VALUE = Symbol('AWS::NoValue');

export interface ResourceIdentity {
  /** What `Ref` returns for this resource. */
  readonly ref: string;
  /** What `Fn::GetAtt` returns, by attribute name. */
  readonly attributes: Readonly<Record<string, string>>;
}

export interface ResolutionContext {
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly identities: ReadonlyMap<string, ResourceIdentity>;
  readonly exports: ReadonlyMap<string, unknown>;
  readonly conditions: Readonly<Record<string, unknown>>;
  readonly mappings: Readonly<Record<string, Record<string, Record<string, unknown>>>>;
}

export class TemplateError extends Error {
  constructor(where: string, problem: string) {
    super(`${where}: ${problem}`);
    this.name = 'TemplateError';
  }
}

type Json = unknown;

export class IntrinsicResolver {
  private readonly conditionCache = new Map<string, boolean>();

  constructor(private readonly context: ResolutionContext) {}

  get stackId(): string {
    const { region, account, stackName } = this.context;
    return `arn:aws:cloudformation:${region}:${account}:stack/${stackName}/00000000-0000-0000-0000-000000000000`;
  }

  pseudoParameter(name: string): string | typeof NO_VALUE | undefined {
    const { account, region, stackName } = this.context;
    switch (name) {
      case 'AWS::AccountId':
        return account;
      case 'AWS::Region':
        return region;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return stackName;
      case 'AWS::StackId':
        return this.stackId;
      case 'AWS::NotificationARNs':
        return '';
      case 'AWS::NoValue':
        return NO_VALUE;
      default:
        return undefined;
    }
  }

  /** Resolves every intrinsic in `value`; properties that resolve to AWS::NoValue are removed. */
  resolve(value: Json, where = 'template'): Json {
    if (Array.isArray(value)) {
      return value
        .map((item, index) => this.resolve(item, `${where}[${index}]`))
        .filter((item) => item !== NO_VALUE);
    }
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, Json>);
    const [first] = entries;
    if (
      entries.length === 1 &&
      first &&
      (first[0] === 'Ref' || first[0].startsWith('Fn::') || first[0] === 'Condition')
    ) {
      if (first[0] === 'Condition' && typeof first[1] === 'string') return this.condition(first[1], where);
      if (first[0] !== 'Condition') return this.intrinsic(first[0], first[1], where);
    }
    const result: Record<string, Json> = {};
    for (const [key, item] of entries) {
      const resolved = this.resolve(item, `${where}.${key}`);
      if (resolved !== NO_VALUE) result[key] = resolved;
    }
    return result;
  }

  condition(name: string, where = 'Conditions'): boolean {
    const cached = this.conditionCache.get(name);
    if (cached !== undefined) return cached;
    if (!(name in this.context.conditions)) throw new TemplateError(where, `unknown condition ${name}`);
    const outcome = this.resolve(this.context.conditions[name], `Conditions.${name}`);
    if (typeof outcome !== 'boolean')
      throw new TemplateError(`Conditions.${name}`, 'does not evaluate to a boolean');
    this.conditionCache.set(name, outcome);
    return outcome;
  }

  private intrinsic(name: string, argument: Json, where: string): Json {
    const here = `${where} (${name})`;
    switch (name) {
      case 'Ref':
        return this.ref(this.string(argument, here), here);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] =
          typeof argument === 'string'
            ? splitOnce(argument, '.')
            : (this.resolve(argument, here) as [string, string]);
        return this.getAtt(String(logicalId), String(attribute), here);
      }
      case 'Fn::Join': {
        const [separator, items] = this.array(argument, here, 2) as [Json, Json];
        const list = this.resolve(items, here);
        if (!Array.isArray(list)) throw new TemplateError(here, 'second argument must be a list');
        return list.map((item) => this.scalar(item, here)).join(this.string(separator, here));
      }
      case 'Fn::Sub':
        return this.sub(argument, here);
      case 'Fn::Select': {
        const [index, items] = this.array(argument, here, 2);
        const list = this.resolve(items, here);
        const position = Number(this.resolve(index, here));
        if (!Array.isArray(list) || !Number.isInteger(position) || position < 0 || position >= list.length) {
          throw new TemplateError(here, `index ${position} is out of range`);
        }
        return list[position];
      }
      case 'Fn::Split': {
        const [delimiter, source] = this.array(argument, here, 2);
        return this.string(this.resolve(source, here), here).split(this.string(delimiter, here));
      }
      case 'Fn::ImportValue': {
        const exportName = this.string(this.resolve(argument, here), here);
        if (!this.context.exports.has(exportName)) {
          throw new TemplateError(
            here,
            `no stack exports "${exportName}" (deploy the exporting stack first)`,
          );
        }
        return this.context.exports.get(exportName);
      }
      case 'Fn::If': {
        const [conditionName, whenTrue, whenFalse] = this.array(argument, here, 3);
        return this.resolve(
          this.condition(this.string(conditionName, here), here) ? whenTrue : whenFalse,
          here,
        );
      }
      case 'Fn::Equals': {
        const [left, right] = this.array(argument, here, 2).map((item) => this.resolve(item, here));
        return JSON.stringify(left) === JSON.stringify(right);
      }
      case 'Fn::And':
        return this.array(argument, here).every((item) => this.truth(item, here));
      case 'Fn::Or':
        return this.array(argument, here).some((item) => this.truth(item, here));
      case 'Fn::Not': {
        const [operand] = this.array(argument, here, 1);
        return !this.truth(operand, here);
      }
      case 'Fn::Contains': {
        const [list, item] = this.array(argument, here, 2).map((entry) => this.resolve(entry, here));
        return Array.isArray(list) && list.some((entry) => JSON.stringify(entry) === JSON.stringify(item));
      }
      case 'Fn::FindInMap': {
        const [map, top, second] = this.array(argument, here, 3).map((item) =>
          this.string(this.resolve(item, here), here),
        );
        const found = this.context.mappings[map as string]?.[top as string]?.[second as string];
        if (found === undefined) throw new TemplateError(here, `no mapping ${map}.${top}.${second}`);
        return found;
      }
      case 'Fn::Base64':
        return Buffer.from(this.string(this.resolve(argument, here), here)).toString('base64');
      case 'Fn::GetAZs': {
        const region = this.string(this.resolve(argument, here), here) || this.context.region;
        return ['a', 'b', 'c'].map((zone) => `${region}${zone}`);
      }
      case 'Fn::ToJsonString':
        return JSON.stringify(this.resolve(argument, here));
      default:
        throw new TemplateError(here, `intrinsic function ${name} is not supported`);
    }
  }

  private ref(name: string, where: string): Json {
    const pseudo = this.pseudoParameter(name);
    if (pseudo !== undefined) return pseudo;
    if (name in this.context.parameters) return this.context.parameters[name];
    const identity = this.context.identities.get(name);
    if (!identity) throw new TemplateError(where, `Ref to unknown resource or parameter ${name}`);
    return identity.ref;
  }

  private getAtt(logicalId: string, attribute: string, where: string): string {
    const identity = this.context.identities.get(logicalId);
    if (!identity) throw new TemplateError(where, `GetAtt of unknown resource ${logicalId}`);
    const value = identity.attributes[attribute];
    if (value === undefined)
      throw new TemplateError(where, `${logicalId} has no attribute ${attribute} locally`);
    return value;
  }

  private sub(argument: Json, where: string): string {
    const [template, variables] =
      typeof argument === 'string' ? [argument, {}] : (this.array(argument, where, 2) as [Json, Json]);
    const resolvedVariables = this.resolve(variables, where) as Record<string, Json>;
    return this.string(template, where).replace(
      /\$\{(!?)([^}]+)\}/g,
      (_, literal: string, expression: string) => {
        if (literal) return `\${${expression}}`;
        if (expression in resolvedVariables) return this.scalar(resolvedVariables[expression], where);
        if (expression.includes('.') && !expression.startsWith('AWS::')) {
          const [logicalId, attribute] = splitOnce(expression, '.');
          return this.getAtt(logicalId, attribute, where);
        }
        return this.scalar(this.ref(expression, where), where);
      },
    );
  }

  private truth(value: Json, where: string): boolean {
    const resolved = this.resolve(value, where);
    if (typeof resolved !== 'boolean') throw new TemplateError(where, 'condition operand is not a boolean');
    return resolved;
  }

  private array(value: Json, where: string, length?: number): Json[] {
    if (!Array.isArray(value) || (length !== undefined && value.length !== length)) {
      throw new TemplateError(where, `expects a list${length === undefined ? '' : ` of ${length}`}`);
    }
    return value;
  }

  private string(value: Json, where: string): string {
    if (typeof value !== 'string')
      throw new TemplateError(where, `expects a string, got ${JSON.stringify(value)}`);
    return value;
  }

  private scalar(value: Json, where: string): string {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      return String(value);
    throw new TemplateError(where, `expects a scalar, got ${JSON.stringify(value)}`);
  }
}

function splitOnce(text: string, separator: string): [string, string] {
  const index = text.indexOf(separator);
  return index < 0 ? [text, ''] : [text.slice(0, index), text.slice(index + 1)];
}

/** Logical ids a value refers to (Ref, GetAtt, Sub), for ordering resources by dependency. */
export function referencedLogicalIds(value: Json, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencedLogicalIds(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value as Record<string, Json>)) {
      (REFERENCE_FINDERS.get(key) ?? referencedLogicalIds)(item, into);
    }
  }
  return into;
}

type ReferenceFinder = (operand: Json, into: Set<string>) => void;

/** `${Name}` and `${Name.Attribute}` in a Fn::Sub template; `${!Literal}` is not a reference. */
const SUB_REFERENCE = /\$\{([^!}][^}.]*)(?:\.[^}]*)?\}/g;

const isResourceId = (name: unknown): name is string => typeof name === 'string' && !name.startsWith('AWS::');

/** The intrinsic functions that name a logical id; any other key's value is searched as it is. */
const REFERENCE_FINDERS: ReadonlyMap<string, ReferenceFinder> = new Map<string, ReferenceFinder>([
  [
    'Ref',
    (operand, into) => {
      if (isResourceId(operand)) into.add(operand);
      else referencedLogicalIds(operand, into);
    },
  ],
  [
    'Fn::GetAtt',
    (operand, into) => {
      const target = typeof operand === 'string' ? operand.split('.')[0] : firstOf(operand);
      if (typeof target === 'string') into.add(target);
    },
  ],
  [
    'Fn::Sub',
    (operand, into) => {
      const template = typeof operand === 'string' ? operand : firstOf(operand);
      if (typeof template === 'string') {
        for (const [, name] of template.matchAll(SUB_REFERENCE)) if (isResourceId(name)) into.add(name);
      }
      referencedLogicalIds(operand, into);
    },
  ],
]);

function firstOf(operand: Json): Json | undefined {
  return Array.isArray(operand) ? operand[0] : undefined;
}
