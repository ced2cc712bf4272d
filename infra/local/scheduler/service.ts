/**
 * Local EventBridge Scheduler: the restJson1 API for schedules and schedule groups, with AWS's routes, status
 * codes and error codes. Firing is the dispatcher's job (dispatcher.ts); state lives in the store (store.ts).
 */
import { join } from 'node:path';
import type { Clock } from '../clock';
import {
  AwsServiceError,
  type RestJsonService,
  type RestRequest,
  type RestRoute,
  validationError,
} from '../edge/service';
import { type ListPaging, type Page, paginate } from '../shared/pagination';
import type { LocalAccount, TargetPorts } from '../shared/ports';
import { constraint, validationMessage } from '../shared/validation';
import { ScheduleDispatcher } from './dispatcher';
import { type ScheduleDefinition, type ScheduleGroup, ScheduleStore, scheduleKey } from './store';
import {
  optionalClientToken,
  optionalString,
  optionalTags,
  requireName,
  validateScheduleInput,
} from './validation';

export interface SchedulerServiceOptions {
  readonly clock: Clock;
  readonly stateDir: string;
  readonly account: LocalAccount;
  readonly ports: TargetPorts;
  /** Source of randomness for flexible time windows; tests pin it. */
  readonly random?: () => number;
}

const DEFAULT_GROUP = 'default';
const DEFAULT_PAGE_SIZE = 100;

const notFound = (message: string) => new AwsServiceError('ResourceNotFoundException', message, 404);
const conflict = (message: string) => new AwsServiceError('ConflictException', message, 409);
const seconds = (ms: number): number => ms / 1000;

/** Every account has the default group; it cannot be created or deleted. */
function refuseDefaultGroup(name: string): void {
  if (name === DEFAULT_GROUP) {
    throw validationError(`This operation cannot be performed on schedule group ${DEFAULT_GROUP}.`);
  }
}

export class SchedulerService {
  readonly edgeService: RestJsonService;
  private readonly clock: Clock;
  private readonly account: LocalAccount;
  private readonly store: ScheduleStore;
  private readonly dispatcher: ScheduleDispatcher;

  constructor(options: SchedulerServiceOptions) {
    this.clock = options.clock;
    this.account = options.account;
    this.store = new ScheduleStore(join(options.stateDir, 'scheduler'));
    if (!this.store.getGroup(DEFAULT_GROUP)) this.store.putGroup(this.newGroup(DEFAULT_GROUP));
    this.dispatcher = new ScheduleDispatcher(this.clock, this.store, options.ports, options.random);
    this.edgeService = { protocol: 'restJson1', signingName: 'scheduler', routes: this.routes() };
  }

  /** Stops firing (the state stays on disk for the next instance). */
  stop(): void {
    this.dispatcher.stop();
  }

  /** Resolves once every invocation started so far has finished (succeeded, scheduled a retry or dead-lettered). */
  idle(): Promise<void> {
    return this.dispatcher.idle();
  }

  /** For the deployer: creates a group if it does not exist yet. */
  createScheduleGroup(name: string, tags?: readonly { Key: string; Value: string }[]): string {
    const existing = this.store.getGroup(name);
    if (existing) return existing.Arn;
    const group = this.newGroup(name, tags);
    this.store.putGroup(group);
    return group.Arn;
  }

  createSchedule(name: string, body: Record<string, unknown>): { ScheduleArn: string } {
    requireName(name, 'name');
    const groupName = this.groupOf(body.GroupName);
    const settings = validateScheduleInput(body, this.clock.now());
    const existing = this.store.getSchedule(groupName, name);
    if (existing) {
      if (settings.ClientToken !== undefined && existing.ClientToken === settings.ClientToken) {
        return { ScheduleArn: existing.Arn };
      }
      throw conflict(`Schedule ${name} already exists.`);
    }
    const now = this.clock.now();
    const schedule: ScheduleDefinition = {
      ...settings,
      Name: name,
      GroupName: groupName,
      Arn: this.arn(`schedule/${groupName}/${name}`),
      CreationDate: now,
      LastModificationDate: now,
    };
    this.store.putSchedule(schedule, this.dispatcher.firstOccurrence(schedule));
    this.dispatcher.rearm();
    return { ScheduleArn: schedule.Arn };
  }

  updateSchedule(name: string, body: Record<string, unknown>): { ScheduleArn: string } {
    requireName(name, 'name');
    const groupName = this.groupOf(body.GroupName);
    const existing = this.requireSchedule(groupName, name);
    const settings = validateScheduleInput(body, this.clock.now(), existing.StartDate);
    if (settings.ClientToken !== undefined && existing.ClientToken === settings.ClientToken) {
      return { ScheduleArn: existing.Arn };
    }
    // UpdateSchedule replaces every field: what the request leaves out returns to its default.
    const schedule: ScheduleDefinition = {
      ...settings,
      Name: name,
      GroupName: groupName,
      Arn: existing.Arn,
      CreationDate: existing.CreationDate,
      LastModificationDate: this.clock.now(),
    };
    // Same timing (a redeploy of an unchanged template at start-up): the pending occurrence stays, so one
    // missed while the local cloud was stopped still fires.
    const next = sameTiming(existing, schedule)
      ? this.store.nextOccurrence(groupName, name)
      : this.dispatcher.firstOccurrence(schedule);
    this.store.putSchedule(schedule, next);
    this.dispatcher.rearm();
    return { ScheduleArn: schedule.Arn };
  }

  getSchedule(name: string, groupNameInput: unknown): Record<string, unknown> {
    const schedule = this.requireSchedule(this.groupOf(groupNameInput), requireName(name, 'name'));
    return {
      Arn: schedule.Arn,
      Name: schedule.Name,
      GroupName: schedule.GroupName,
      ScheduleExpression: schedule.ScheduleExpression,
      ScheduleExpressionTimezone: schedule.ScheduleExpressionTimezone,
      StartDate: schedule.StartDate === undefined ? undefined : seconds(schedule.StartDate),
      EndDate: schedule.EndDate === undefined ? undefined : seconds(schedule.EndDate),
      Description: schedule.Description,
      State: schedule.State,
      KmsKeyArn: schedule.KmsKeyArn,
      Target: schedule.Target,
      FlexibleTimeWindow: schedule.FlexibleTimeWindow,
      ActionAfterCompletion: schedule.ActionAfterCompletion,
      CreationDate: seconds(schedule.CreationDate),
      LastModificationDate: seconds(schedule.LastModificationDate),
    };
  }

  deleteSchedule(name: string, groupNameInput: unknown, clientToken?: unknown): Record<string, never> {
    optionalClientToken(clientToken);
    const groupName = this.groupOf(groupNameInput);
    this.requireSchedule(groupName, requireName(name, 'name'));
    this.store.deleteSchedule(groupName, name);
    this.dispatcher.rearm();
    return {};
  }

  listSchedules(query: URLSearchParams): { Schedules: unknown[]; NextToken?: string } {
    const groupName = query.get('ScheduleGroup') ?? undefined;
    if (groupName !== undefined) this.requireGroup(requireName(groupName, 'groupName'));
    const prefix = query.get('NamePrefix') ?? undefined;
    if (prefix !== undefined) requireName(prefix, 'namePrefix');
    const state = query.get('State') ?? undefined;
    if (state !== undefined && state !== 'ENABLED' && state !== 'DISABLED') {
      throw validationError(
        validationMessage([
          { value: state, member: 'state', constraint: constraint.oneOf(['ENABLED', 'DISABLED']) },
        ]),
      );
    }
    const schedules = this.store.listSchedules(
      (schedule) =>
        (groupName === undefined || schedule.GroupName === groupName) &&
        (prefix === undefined || schedule.Name.startsWith(prefix)) &&
        (state === undefined || schedule.State === state),
    );
    const page = pageOf(schedules, query, {
      list: 'scheduler:ListSchedules',
      keyOf: (schedule) => scheduleKey(schedule.GroupName, schedule.Name),
    });
    return {
      Schedules: page.items.map((schedule) => ({
        Arn: schedule.Arn,
        Name: schedule.Name,
        GroupName: schedule.GroupName,
        State: schedule.State,
        CreationDate: seconds(schedule.CreationDate),
        LastModificationDate: seconds(schedule.LastModificationDate),
        Target: { Arn: schedule.Target.Arn },
      })),
      ...(page.nextToken !== undefined && { NextToken: page.nextToken }),
    };
  }

  createScheduleGroupFromApi(name: string, body: Record<string, unknown>): { ScheduleGroupArn: string } {
    requireName(name, 'name');
    const clientToken = optionalClientToken(body.ClientToken);
    refuseDefaultGroup(name);
    const existing = this.store.getGroup(name);
    if (existing) {
      if (clientToken !== undefined && existing.ClientToken === clientToken)
        return { ScheduleGroupArn: existing.Arn };
      throw conflict(`Schedule group ${name} already exists.`);
    }
    const group = {
      ...this.newGroup(name, optionalTags(body.Tags)),
      ...(clientToken !== undefined && { ClientToken: clientToken }),
    };
    this.store.putGroup(group);
    return { ScheduleGroupArn: group.Arn };
  }

  getScheduleGroup(name: string): Record<string, unknown> {
    return describeGroup(this.requireGroup(requireName(name, 'name')));
  }

  deleteScheduleGroup(name: string, clientToken?: unknown): Record<string, never> {
    optionalClientToken(clientToken);
    this.requireGroup(requireName(name, 'name'));
    refuseDefaultGroup(name);
    this.store.deleteGroup(name);
    this.dispatcher.rearm();
    return {};
  }

  listScheduleGroups(query: URLSearchParams): { ScheduleGroups: unknown[]; NextToken?: string } {
    const prefix = query.get('NamePrefix') ?? undefined;
    if (prefix !== undefined) requireName(prefix, 'namePrefix');
    const groups = this.store
      .listGroups()
      .filter((group) => prefix === undefined || group.Name.startsWith(prefix));
    const page = pageOf(groups, query, {
      list: 'scheduler:ListScheduleGroups',
      keyOf: (group) => group.Name,
    });
    return {
      ScheduleGroups: page.items.map(describeGroup),
      ...(page.nextToken !== undefined && { NextToken: page.nextToken }),
    };
  }

  private routes(): RestRoute[] {
    const bodyOf = (request: RestRequest): Record<string, unknown> =>
      typeof request.body === 'object' && request.body !== null
        ? (request.body as Record<string, unknown>)
        : {};
    const name = (request: RestRequest): string => request.params.Name ?? '';
    const ok = (body: unknown) => ({ status: 200, body });
    return [
      {
        method: 'POST',
        path: '/schedules/{Name}',
        operation: 'CreateSchedule',
        handle: (r) => ok(this.createSchedule(name(r), bodyOf(r))),
      },
      {
        method: 'PUT',
        path: '/schedules/{Name}',
        operation: 'UpdateSchedule',
        handle: (r) => ok(this.updateSchedule(name(r), bodyOf(r))),
      },
      {
        method: 'GET',
        path: '/schedules/{Name}',
        operation: 'GetSchedule',
        handle: (r) => ok(this.getSchedule(name(r), r.query.get('groupName') ?? undefined)),
      },
      {
        method: 'DELETE',
        path: '/schedules/{Name}',
        operation: 'DeleteSchedule',
        handle: (r) =>
          ok(
            this.deleteSchedule(
              name(r),
              r.query.get('groupName') ?? undefined,
              r.query.get('clientToken') ?? undefined,
            ),
          ),
      },
      {
        method: 'GET',
        path: '/schedules',
        operation: 'ListSchedules',
        handle: (r) => ok(this.listSchedules(r.query)),
      },
      {
        method: 'POST',
        path: '/schedule-groups/{Name}',
        operation: 'CreateScheduleGroup',
        handle: (r) => ok(this.createScheduleGroupFromApi(name(r), bodyOf(r))),
      },
      {
        method: 'GET',
        path: '/schedule-groups/{Name}',
        operation: 'GetScheduleGroup',
        handle: (r) => ok(this.getScheduleGroup(name(r))),
      },
      {
        method: 'DELETE',
        path: '/schedule-groups/{Name}',
        operation: 'DeleteScheduleGroup',
        handle: (r) => ok(this.deleteScheduleGroup(name(r), r.query.get('clientToken') ?? undefined)),
      },
      {
        method: 'GET',
        path: '/schedule-groups',
        operation: 'ListScheduleGroups',
        handle: (r) => ok(this.listScheduleGroups(r.query)),
      },
    ];
  }

  private groupOf(value: unknown): string {
    const groupName = optionalString(value, 'groupName') ?? DEFAULT_GROUP;
    this.requireGroup(requireName(groupName, 'groupName'));
    return groupName;
  }

  private requireGroup(name: string): ScheduleGroup {
    const group = this.store.getGroup(name);
    if (!group) throw notFound(`Schedule group ${name} does not exist.`);
    return group;
  }

  private requireSchedule(groupName: string, name: string): ScheduleDefinition {
    const schedule = this.store.getSchedule(groupName, name);
    if (!schedule) throw notFound(`Schedule ${name} does not exist.`);
    return schedule;
  }

  private newGroup(name: string, tags?: readonly { Key: string; Value: string }[]): ScheduleGroup {
    const now = this.clock.now();
    return {
      Name: name,
      Arn: this.arn(`schedule-group/${name}`),
      State: 'ACTIVE',
      CreationDate: now,
      LastModificationDate: now,
      ...(tags && { Tags: tags }),
    };
  }

  private arn(resource: string): string {
    return `arn:aws:scheduler:${this.account.region}:${this.account.accountId}:${resource}`;
  }
}

/** Whether two versions of a schedule fire at the same times. */
function sameTiming(before: ScheduleDefinition, after: ScheduleDefinition): boolean {
  return (
    before.ScheduleExpression === after.ScheduleExpression &&
    before.ScheduleExpressionTimezone === after.ScheduleExpressionTimezone &&
    before.StartDate === after.StartDate &&
    before.EndDate === after.EndDate &&
    before.State === after.State &&
    before.FlexibleTimeWindow.Mode === after.FlexibleTimeWindow.Mode &&
    before.FlexibleTimeWindow.MaximumWindowInMinutes === after.FlexibleTimeWindow.MaximumWindowInMinutes
  );
}

function describeGroup(group: ScheduleGroup): Record<string, unknown> {
  return {
    Arn: group.Arn,
    Name: group.Name,
    State: group.State,
    CreationDate: seconds(group.CreationDate),
    LastModificationDate: seconds(group.LastModificationDate),
  };
}

/** MaxResults is 1 to 100 (100 when absent); the items come sorted by their key. */
function pageOf<T>(
  items: readonly T[],
  query: URLSearchParams,
  paging: Omit<ListPaging<T>, 'invalidToken'>,
): Page<T> {
  const maxText = query.get('MaxResults');
  const pageSize = maxText === null ? DEFAULT_PAGE_SIZE : Number(maxText);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
    throw validationError(
      validationMessage([
        { value: maxText, member: 'maxResults', constraint: constraint.valueBetween(1, 100) },
      ]),
    );
  }
  return paginate(
    items,
    { token: query.get('NextToken') ?? undefined, pageSize },
    { ...paging, invalidToken: () => validationError('The NextToken is not valid.') },
  );
}
