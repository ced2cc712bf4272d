/**
 * Local EventBridge Scheduler: the restJson1 API for schedules and schedule groups, with AWS's routes, status
 * codes and error codes. Firing is the dispatcher's job (dispatcher.ts); state lives in the store (store.ts).
 */
import { join } from 'node:path';
import type {
  CreateScheduleGroupInput,
  CreateScheduleInput,
  DeleteScheduleGroupInput,
  DeleteScheduleInput,
  GetScheduleGroupInput,
  GetScheduleInput,
  ListScheduleGroupsInput,
  ListSchedulesInput,
  ScheduleState,
  UpdateScheduleInput,
} from '@aws-sdk/client-scheduler';
import type { Clock } from '../clock';
import {
  AwsServiceError,
  type RestJsonService,
  type RestRequest,
  type RestRoute,
  validationError,
} from '../edge/contracts';
import { type ListPaging, type Page, paginate } from '../shared/pagination';
import type { LocalAccount, TargetPorts } from '../shared/ports';
import { bodyAs, queryNumber, queryText } from '../shared/rest-input';
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

  getSchedule(input: GetScheduleInput): Record<string, unknown> {
    const schedule = this.requireSchedule(this.groupOf(input.GroupName), requireName(input.Name, 'name'));
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

  deleteSchedule(input: DeleteScheduleInput): Record<string, never> {
    optionalClientToken(input.ClientToken);
    const groupName = this.groupOf(input.GroupName);
    const name = requireName(input.Name, 'name');
    this.requireSchedule(groupName, name);
    this.store.deleteSchedule(groupName, name);
    this.dispatcher.rearm();
    return {};
  }

  listSchedules(input: ListSchedulesInput): { Schedules: unknown[]; NextToken?: string } {
    const { GroupName: groupName, NamePrefix: prefix, State: state } = input;
    if (groupName !== undefined) this.requireGroup(requireName(groupName, 'groupName'));
    if (prefix !== undefined) requireName(prefix, 'namePrefix');
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
    const page = pageOf(schedules, input, {
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

  createScheduleGroupFromApi(input: CreateScheduleGroupInput): { ScheduleGroupArn: string } {
    const name = requireName(input.Name, 'name');
    const clientToken = optionalClientToken(input.ClientToken);
    refuseDefaultGroup(name);
    const existing = this.store.getGroup(name);
    if (existing) {
      if (clientToken !== undefined && existing.ClientToken === clientToken)
        return { ScheduleGroupArn: existing.Arn };
      throw conflict(`Schedule group ${name} already exists.`);
    }
    const group = {
      ...this.newGroup(name, optionalTags(input.Tags)),
      ...(clientToken !== undefined && { ClientToken: clientToken }),
    };
    this.store.putGroup(group);
    return { ScheduleGroupArn: group.Arn };
  }

  getScheduleGroup(input: GetScheduleGroupInput): Record<string, unknown> {
    return describeGroup(this.requireGroup(requireName(input.Name, 'name')));
  }

  deleteScheduleGroup(input: DeleteScheduleGroupInput): Record<string, never> {
    optionalClientToken(input.ClientToken);
    const name = requireName(input.Name, 'name');
    this.requireGroup(name);
    refuseDefaultGroup(name);
    this.store.deleteGroup(name);
    this.dispatcher.rearm();
    return {};
  }

  listScheduleGroups(input: ListScheduleGroupsInput): { ScheduleGroups: unknown[]; NextToken?: string } {
    const prefix = input.NamePrefix;
    if (prefix !== undefined) requireName(prefix, 'namePrefix');
    const groups = this.store
      .listGroups()
      .filter((group) => prefix === undefined || group.Name.startsWith(prefix));
    const page = pageOf(groups, input, {
      list: 'scheduler:ListScheduleGroups',
      keyOf: (group) => group.Name,
    });
    return {
      ScheduleGroups: page.items.map(describeGroup),
      ...(page.nextToken !== undefined && { NextToken: page.nextToken }),
    };
  }

  /** Each route decodes its path, query and body into the operation's SDK input, then runs the operation. */
  private routes(): RestRoute[] {
    const ok = (body: unknown) => ({ status: 200, body });
    return [
      {
        method: 'POST',
        path: '/schedules/{Name}',
        operation: 'CreateSchedule',
        handle: (r) => ok(this.createSchedule(nameOf(r), bodyAs<CreateScheduleInput>(r))),
      },
      {
        method: 'PUT',
        path: '/schedules/{Name}',
        operation: 'UpdateSchedule',
        handle: (r) => ok(this.updateSchedule(nameOf(r), bodyAs<UpdateScheduleInput>(r))),
      },
      {
        method: 'GET',
        path: '/schedules/{Name}',
        operation: 'GetSchedule',
        handle: (r) => ok(this.getSchedule({ Name: nameOf(r), GroupName: queryText(r, 'groupName') })),
      },
      {
        method: 'DELETE',
        path: '/schedules/{Name}',
        operation: 'DeleteSchedule',
        handle: (r) =>
          ok(
            this.deleteSchedule({
              Name: nameOf(r),
              GroupName: queryText(r, 'groupName'),
              ClientToken: queryText(r, 'clientToken'),
            }),
          ),
      },
      {
        method: 'GET',
        path: '/schedules',
        operation: 'ListSchedules',
        handle: (r) =>
          ok(
            this.listSchedules({
              ...pageQuery(r),
              GroupName: queryText(r, 'ScheduleGroup'),
              NamePrefix: queryText(r, 'NamePrefix'),
              // Checked by the operation: the query can carry any text.
              State: queryText(r, 'State') as ScheduleState | undefined,
            }),
          ),
      },
      {
        method: 'POST',
        path: '/schedule-groups/{Name}',
        operation: 'CreateScheduleGroup',
        handle: (r) =>
          ok(this.createScheduleGroupFromApi({ ...bodyAs<CreateScheduleGroupInput>(r), Name: nameOf(r) })),
      },
      {
        method: 'GET',
        path: '/schedule-groups/{Name}',
        operation: 'GetScheduleGroup',
        handle: (r) => ok(this.getScheduleGroup({ Name: nameOf(r) })),
      },
      {
        method: 'DELETE',
        path: '/schedule-groups/{Name}',
        operation: 'DeleteScheduleGroup',
        handle: (r) =>
          ok(this.deleteScheduleGroup({ Name: nameOf(r), ClientToken: queryText(r, 'clientToken') })),
      },
      {
        method: 'GET',
        path: '/schedule-groups',
        operation: 'ListScheduleGroups',
        handle: (r) =>
          ok(this.listScheduleGroups({ ...pageQuery(r), NamePrefix: queryText(r, 'NamePrefix') })),
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

const nameOf = (request: RestRequest): string => request.params.Name ?? '';

/** The paging members of a List operation's query string. */
function pageQuery(request: RestRequest): Pick<ListSchedulesInput, 'NextToken' | 'MaxResults'> {
  return { MaxResults: queryNumber(request, 'MaxResults'), NextToken: queryText(request, 'NextToken') };
}

/** MaxResults is 1 to 100 (100 when absent); the items come sorted by their key. */
function pageOf<T>(
  items: readonly T[],
  input: { readonly NextToken?: string | undefined; readonly MaxResults?: number | undefined },
  paging: Omit<ListPaging<T>, 'invalidToken'>,
): Page<T> {
  const pageSize = input.MaxResults ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
    throw validationError(
      validationMessage([
        {
          value: String(input.MaxResults),
          member: 'maxResults',
          constraint: constraint.valueBetween(1, 100),
        },
      ]),
    );
  }
  return paginate(
    items,
    { token: input.NextToken, pageSize },
    { ...paging, invalidToken: () => validationError('The NextToken is not valid.') },
  );
}
