/**
 * The identity policies of the template's roles, so that the local cloud can check what AWS would check:
 * may this role make this call on this resource? Evaluation follows IAM's order for identity policies: an
 * explicit Deny wins, else an Allow allows, else the request is implicitly denied. Action, NotAction,
 * Resource and NotResource are matched with `*` and `?` wildcards (actions case-insensitively, resources
 * exactly).
 *
 * Condition blocks are not evaluated: a statement with a Condition is taken as matching, for Allow and Deny
 * alike. For the app's `dynamodb:LeadingKeys` conditions that is right in substance (its functions and state
 * machines only touch the keys their conditions allow); for other conditions it can be wrong either way.
 * Managed policies, permission boundaries, SCPs and resource policies are not consulted.
 */
interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
}

const wildcardMatcher = (pattern: string, caseInsensitive: boolean): RegExp =>
  new RegExp(
    `^${pattern
      .split('')
      .map((character) =>
        character === '*' ? '.*' : character === '?' ? '.' : character.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
      )
      .join('')}$`,
    caseInsensitive ? 'i' : '',
  );

// A pattern that is not a string (an intrinsic the deployer could not resolve) matches nothing.
const matchesAny = (patterns: string | string[] | undefined, value: string, caseInsensitive: boolean) =>
  [patterns ?? []]
    .flat()
    .some(
      (pattern: unknown) =>
        typeof pattern === 'string' && wildcardMatcher(pattern, caseInsensitive).test(value),
    );

function applies(statement: Statement, action: string, resource: string): boolean {
  const actionMatches =
    statement.Action !== undefined
      ? matchesAny(statement.Action, action, true)
      : !matchesAny(statement.NotAction, action, true);
  const resourceMatches =
    statement.Resource !== undefined
      ? matchesAny(statement.Resource, resource, false)
      : !matchesAny(statement.NotResource, resource, false);
  return actionMatches && resourceMatches;
}

export class PolicyStore {
  private readonly statementsByRole = new Map<string, Statement[]>();

  /** Adds a policy document's statements to a role (by name or ARN). */
  attach(role: string, document: unknown): void {
    const name = roleName(role);
    const statements = [((document ?? {}) as { Statement?: Statement | Statement[] }).Statement ?? []].flat();
    this.statementsByRole.set(name, [...(this.statementsByRole.get(name) ?? []), ...statements]);
  }

  knows(roleArn: string): boolean {
    return this.statementsByRole.has(roleName(roleArn));
  }

  /** `allowed`, or why not, in the words of AWS's AccessDenied message. */
  check(roleArn: string, action: string, resource: string): 'allowed' | string {
    const statements = this.statementsByRole.get(roleName(roleArn)) ?? [];
    const matching = statements.filter((statement) => applies(statement, action, resource));
    const denied = matching.some((statement) => statement.Effect === 'Deny');
    if (!denied && matching.some((statement) => statement.Effect === 'Allow')) return 'allowed';
    const refused = `User: ${roleArn} is not authorized to perform: ${action} on resource: ${resource}`;
    return denied
      ? `${refused} with an explicit deny in an identity-based policy`
      : `${refused} because no identity-based policy allows the ${action} action`;
  }
}

const roleName = (role: string): string => (role.startsWith('arn:') ? (role.split('/').pop() ?? role) : role);
