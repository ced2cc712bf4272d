/**
 * The local EventBridge: buses, rules, targets and archives behind the AWSEvents JSON protocol, with the
 * same validation and error codes as AWS. PutEvents accepts events and returns; matching and delivery run
 * asynchronously (delivery.ts). Buses, rules and archives persist under `${stateDir}/events/`.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type {
  CreateArchiveRequest,
  CreateEventBusRequest,
  DeleteEventBusRequest,
  DeleteRuleRequest,
  DescribeArchiveRequest,
  DescribeEventBusRequest,
  DescribeRuleRequest,
  EventBridge,
  ListEventBusesRequest,
  ListRulesRequest,
  ListTargetsByRuleRequest,
  PutRuleRequest,
  PutTargetsRequest,
  RemoveTargetsRequest,
} from '@aws-sdk/client-eventbridge';
import type { Clock } from '../clock';
import {
  AwsServiceError,
  type JsonProtocolService,
  type OperationsOf,
  validationError,
} from '../edge/contracts';
import { codeUnitOrder, type ListPaging, paginate } from '../shared/pagination';
import { appendJsonLine, readJsonOr, writeJsonAtomic } from '../shared/persistence';
import type { EventEntry, LocalAccount, TargetPorts } from '../shared/ports';
import { constraint, type FieldProblem, validationMessage } from '../shared/validation';
import { Deliveries, type FailedDelivery } from './delivery';
import type { DeliveryJob, PendingDelivery } from './delivery-journal';
import {
  type ArchiveRecord,
  archiveArn,
  type BusRecord,
  busArn,
  busNameOf,
  DEFAULT_BUS,
  type EventBridgeState,
  type EventEnvelope,
  type RuleRecord,
  ruleArn,
  type TargetRecord,
} from './model';
import { compileEventPattern, type EventMatcher, testEventPattern } from './pattern';
import { RuleIndex } from './rule-index';
import { parseRuleSchedule, RuleSchedules } from './rule-schedules';
import { validateTargetInput } from './target-input';

export interface EventBridgeServiceOptions {
  readonly clock: Clock;
  readonly stateDir: string;
  readonly account: LocalAccount;
  readonly ports: TargetPorts;
}

const MAX_ENTRIES_PER_PUT = 10;
const MAX_REQUEST_BYTES = 256 * 1024;
const MAX_TARGETS_PER_RULE = 5;
const NAME = /^[.\-_A-Za-z0-9]+$/;
const BUS_NAME = /^[/.\-_A-Za-z0-9]+$/;
/**
 * Archive counters change with every archived event. Rewriting the whole state file for each PutEvents cost
 * more than the rest of the call, so counter changes are written at most this often (and on dispose); a crash
 * loses at most this much counting, never an archived event or any configuration.
 */
const COUNTER_SAVE_DELAY_MS = 1_000;

const notFound = (message: string): AwsServiceError =>
  new AwsServiceError('ResourceNotFoundException', message, 400);
const alreadyExists = (message: string): AwsServiceError =>
  new AwsServiceError('ResourceAlreadyExistsException', message, 400);

const invalidField = (problem: FieldProblem): AwsServiceError =>
  validationError(validationMessage([problem]));

/** AWS's constraint message for a malformed member. */
function checkName(value: unknown, member: string, pattern: RegExp, maxLength: number): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidField({ value: null, member, constraint: constraint.notNull });
  }
  if (value.length > maxLength) {
    throw invalidField({ value, member, constraint: constraint.maxLength(maxLength) });
  }
  if (!pattern.test(value)) {
    throw invalidField({ value, member, constraint: constraint.pattern(pattern.source.slice(1, -1)) });
  }
  return value;
}

const epochSeconds = (ms: number): number => ms / 1000;
const utf8Bytes = (text: string | undefined): number => (text ? Buffer.byteLength(text, 'utf8') : 0);

/** Event time as AWS writes it: ISO-8601 to the second. */
function eventTime(time: unknown, now: number): string {
  let ms = now;
  if (time instanceof Date) ms = time.getTime();
  else if (typeof time === 'number')
    ms = time * 1000; // awsJson timestamps are epoch seconds
  else if (typeof time === 'string' && !Number.isNaN(Date.parse(time))) ms = Date.parse(time);
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

const jobsFor = (rule: RuleRecord, event: EventEnvelope, ingestedAt: number): DeliveryJob[] =>
  rule.targets.map((target) => ({ event, ruleArn: rule.Arn, ruleName: rule.Name, target, ingestedAt }));

/** A rule as the API describes it, without what only the local service keeps. */
const describedRule = ({ targets: _targets, scheduledSince: _since, ...rule }: RuleRecord) => rule;

interface PutEventsResultEntry {
  EventId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

/** ListEventBuses/ListRules/ListTargetsByRule paging: Limit defaults to and is capped at 100. */
function pageOf<T>(
  items: readonly T[],
  input: { NextToken?: unknown; Limit?: unknown },
  paging: ListPaging<T>,
) {
  const page = paginate(
    items,
    {
      token: optionalText(input.NextToken),
      pageSize: typeof input.Limit === 'number' && input.Limit > 0 ? Math.min(input.Limit, 100) : 100,
    },
    paging,
  );
  return page.nextToken ? { page: page.items, NextToken: page.nextToken } : { page: page.items };
}

const invalidToken = (): AwsServiceError => validationError('The NextToken provided is invalid.');
const byName = (list: string): ListPaging<{ Name: string }> => ({
  list,
  keyOf: (item) => item.Name,
  compare: (left, right) => left.localeCompare(right),
  invalidToken,
});
const busPaging = byName('events:ListEventBuses');
const rulePaging = byName('events:ListRules');
const targetPaging: ListPaging<TargetRecord> = {
  list: 'events:ListTargetsByRule',
  keyOf: (target) => target.Id,
  invalidToken,
};

/** The string a member holds, or undefined for anything else (the wire can carry any JSON). */
const optionalText = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const RULE_STATES = ['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS'] as const;

const isRuleState = (value: unknown): value is RuleRecord['State'] =>
  RULE_STATES.some((allowed) => allowed === value);

function checkRuleState(state: unknown): RuleRecord['State'] {
  if (isRuleState(state)) return state;
  throw invalidField({
    value: String(state),
    member: 'state',
    constraint: constraint.oneOf([...RULE_STATES]),
  });
}

/** What PutRule requires of its pattern and schedule; returns the compiled pattern, if any. */
function checkRuleTrigger(
  bus: BusRecord,
  pattern: string | undefined,
  schedule: string | undefined,
): EventMatcher | undefined {
  if (!pattern && !schedule)
    throw validationError('Parameter(s) EventPattern or ScheduleExpression must be specified.');
  if (schedule && bus.Name !== DEFAULT_BUS) {
    throw validationError('ScheduleExpression is supported only on the default event bus.');
  }
  if (pattern && pattern.length > 4096) {
    throw invalidField({ member: 'eventPattern', constraint: constraint.maxLength(4096) });
  }
  const matcher = pattern ? compileEventPattern(pattern) : undefined;
  if (schedule) parseRuleSchedule(schedule);
  return matcher;
}

export class EventBridgeService {
  readonly edgeService: JsonProtocolService;
  private readonly clock: Clock;
  private readonly account: LocalAccount;
  private readonly directory: string;
  private readonly state: EventBridgeState;
  private readonly indexes = new Map<string, RuleIndex<string>>();
  private readonly rulesByArn = new Map<string, RuleRecord>();
  private readonly archiveMatchers = new Map<string, EventMatcher | undefined>();
  private readonly deliveries: Deliveries;
  private readonly schedules: RuleSchedules;
  private counterSave: NodeJS.Timeout | undefined;

  constructor({ clock, stateDir, account, ports }: EventBridgeServiceOptions) {
    this.clock = clock;
    this.account = account;
    this.directory = join(stateDir, 'events');
    this.deliveries = new Deliveries(clock, ports, this.directory);
    this.schedules = new RuleSchedules(clock, (arn, occurrence) => this.fireScheduledRule(arn, occurrence));
    this.state = readJsonOr<EventBridgeState>(this.statePath, { buses: [], rules: [], archives: [] });
    if (!this.state.buses.some((bus) => bus.Name === DEFAULT_BUS)) this.addBus(DEFAULT_BUS);
    for (const rule of this.state.rules) {
      this.indexRule(rule);
      this.syncSchedule(rule);
    }
    for (const archive of this.state.archives) this.indexArchive(archive);
    const operations: OperationsOf<EventBridge> = {
      PutEvents: (input) => this.putEvents(input.Entries),
      PutRule: (input) => this.putRule(input),
      DeleteRule: (input) => this.deleteRule(input),
      DescribeRule: (input) => this.describeRule(input),
      ListRules: (input) => this.listRules(input),
      EnableRule: (input) => this.setRuleState(input, 'ENABLED'),
      DisableRule: (input) => this.setRuleState(input, 'DISABLED'),
      PutTargets: (input) => this.putTargets(input),
      RemoveTargets: (input) => this.removeTargets(input),
      ListTargetsByRule: (input) => this.listTargetsByRule(input),
      TestEventPattern: (input) => ({ Result: testEventPattern(input.EventPattern, input.Event) }),
      CreateEventBus: (input) => this.createBus(input),
      DescribeEventBus: (input) => this.describeBus(input),
      ListEventBuses: (input) => this.listBuses(input),
      DeleteEventBus: (input) => this.deleteBus(input),
      CreateArchive: (input) => this.createArchive(input),
      DescribeArchive: (input) => this.describeArchive(input),
    };
    this.edgeService = {
      protocol: 'awsJson1_1',
      signingName: 'events',
      targetPrefix: 'AWSEvents',
      operations,
    };
  }

  /** Deliveries that exhausted their retries (most recent last). */
  failedDeliveries(): readonly FailedDelivery[] {
    return this.deliveries.failures();
  }

  /** Deliveries that failed and wait for their next attempt (kept across restarts). */
  retryingDeliveries(): readonly PendingDelivery[] {
    return this.deliveries.retrying();
  }

  /** Deliveries and retries queued on the clock and not yet run. */
  get pendingDeliveries(): number {
    return this.deliveries.pendingCount;
  }

  /** Stops deliveries, retries and scheduled rules; unfinished deliveries stay journalled for the next start. */
  dispose(): void {
    if (this.counterSave) this.save();
    this.schedules.dispose();
    this.deliveries.dispose();
  }

  // ---- event buses ----

  createBus(input: CreateEventBusRequest): { EventBusArn: string } {
    const name = checkName(input.Name, 'name', BUS_NAME, 256);
    if (this.findBus(name)) throw alreadyExists(`Event bus ${name} already exists.`);
    const bus = this.addBus(name, optionalText(input.Description));
    this.save();
    return { EventBusArn: bus.Arn };
  }

  private addBus(name: string, description?: string): BusRecord {
    const now = epochSeconds(this.clock.now());
    const bus: BusRecord = {
      Name: name,
      Arn: busArn(this.account, name),
      CreationTime: now,
      LastModifiedTime: now,
      ...(description ? { Description: description } : {}),
    };
    this.state.buses.push(bus);
    return bus;
  }

  private describeBus(input: DescribeEventBusRequest): Record<string, unknown> {
    const bus = this.requireBus(optionalText(input.Name));
    return { ...bus };
  }

  private listBuses(input: ListEventBusesRequest): Record<string, unknown> {
    const prefix = typeof input.NamePrefix === 'string' ? input.NamePrefix : '';
    const buses = this.state.buses
      .filter((bus) => bus.Name.startsWith(prefix))
      .sort((a, b) => a.Name.localeCompare(b.Name));
    const { page, NextToken } = pageOf(buses, input, busPaging);
    return { EventBuses: page.map((bus) => ({ ...bus })), ...(NextToken ? { NextToken } : {}) };
  }

  private deleteBus(input: DeleteEventBusRequest): Record<string, never> {
    const name = checkName(input.Name, 'name', BUS_NAME, 256);
    if (name === DEFAULT_BUS) throw validationError('Cannot delete event bus default.');
    if (!this.findBus(name)) return {};
    for (const rule of this.state.rules.filter((candidate) => candidate.EventBusName === name))
      this.dropRule(rule);
    this.state.buses = this.state.buses.filter((bus) => bus.Name !== name);
    this.indexes.delete(name);
    this.save();
    return {};
  }

  private findBus(nameOrArn: string | undefined): BusRecord | undefined {
    const name = busNameOf(nameOrArn);
    return this.state.buses.find((bus) => bus.Name === name);
  }

  private requireBus(nameOrArn: string | undefined): BusRecord {
    const bus = this.findBus(nameOrArn);
    if (!bus) throw notFound(`Event bus ${busNameOf(nameOrArn)} does not exist.`);
    return bus;
  }

  // ---- rules ----

  putRule(input: PutRuleRequest): { RuleArn: string } {
    const name = checkName(input.Name, 'name', NAME, 64);
    const bus = this.requireBus(optionalText(input.EventBusName));
    const pattern = optionalText(input.EventPattern);
    const schedule = optionalText(input.ScheduleExpression);
    const matcher = checkRuleTrigger(bus, pattern, schedule);
    const state = checkRuleState(input.State ?? 'ENABLED');
    const existing = this.findRule(name, bus.Name);
    const keepsSchedule = schedule !== undefined && existing?.ScheduleExpression === schedule;
    const rule: RuleRecord = {
      Name: name,
      EventBusName: bus.Name,
      Arn: ruleArn(this.account, bus.Name, name),
      State: state,
      targets: existing?.targets ?? [],
      ...(pattern ? { EventPattern: pattern } : {}),
      ...(schedule
        ? {
            ScheduleExpression: schedule,
            scheduledSince: (keepsSchedule ? existing.scheduledSince : undefined) ?? this.clock.now(),
          }
        : {}),
      ...(typeof input.Description === 'string' ? { Description: input.Description } : {}),
      ...(typeof input.RoleArn === 'string' ? { RoleArn: input.RoleArn } : {}),
    };
    if (existing) this.state.rules = this.state.rules.filter((candidate) => candidate !== existing);
    this.state.rules.push(rule);
    this.indexRule(rule, matcher);
    this.syncSchedule(rule);
    this.save();
    return { RuleArn: rule.Arn };
  }

  private deleteRule(input: DeleteRuleRequest): Record<string, never> {
    const name = checkName(input.Name, 'name', NAME, 64);
    const busName = busNameOf(optionalText(input.EventBusName));
    const rule = this.findRule(name, busName);
    if (!rule) return {};
    if (rule.targets.length > 0) throw validationError("Rule can't be deleted since it has targets.");
    this.dropRule(rule);
    this.save();
    return {};
  }

  private dropRule(rule: RuleRecord): void {
    this.state.rules = this.state.rules.filter((candidate) => candidate !== rule);
    this.rulesByArn.delete(rule.Arn);
    this.indexes.get(rule.EventBusName)?.delete(rule.Arn);
    this.schedules.delete(rule.Arn);
  }

  private describeRule(input: DescribeRuleRequest): Record<string, unknown> {
    return { ...describedRule(this.requireRule(input)), CreatedBy: this.account.accountId };
  }

  private listRules(input: ListRulesRequest) {
    const bus = this.requireBus(optionalText(input.EventBusName));
    const prefix = typeof input.NamePrefix === 'string' ? input.NamePrefix : '';
    const rules = this.state.rules
      .filter((rule) => rule.EventBusName === bus.Name && rule.Name.startsWith(prefix))
      .sort((a, b) => a.Name.localeCompare(b.Name));
    const { page, NextToken } = pageOf(rules, input, rulePaging);
    return {
      Rules: page.map(describedRule),
      ...(NextToken ? { NextToken } : {}),
    };
  }

  private setRuleState(input: DescribeRuleRequest, state: 'ENABLED' | 'DISABLED') {
    const rule = this.requireRule(input);
    rule.State = state;
    this.syncSchedule(rule);
    this.save();
    return {};
  }

  private findRule(name: string, busName: string): RuleRecord | undefined {
    return this.state.rules.find((rule) => rule.Name === name && rule.EventBusName === busName);
  }

  private requireRule(input: { Name?: unknown; Rule?: unknown; EventBusName?: unknown }): RuleRecord {
    const name = checkName(input.Name ?? input.Rule, input.Name !== undefined ? 'name' : 'rule', NAME, 64);
    const busName = busNameOf(optionalText(input.EventBusName));
    const rule = this.findRule(name, busName);
    if (!rule) throw notFound(`Rule ${name} does not exist on EventBus ${busName}.`);
    return rule;
  }

  private indexRule(rule: RuleRecord, matcher?: EventMatcher): void {
    this.rulesByArn.set(rule.Arn, rule);
    let index = this.indexes.get(rule.EventBusName);
    if (!index) {
      index = new RuleIndex();
      this.indexes.set(rule.EventBusName, index);
    }
    const compiled = matcher ?? (rule.EventPattern ? compileEventPattern(rule.EventPattern) : undefined);
    if (!compiled) {
      index.delete(rule.Arn); // a schedule-only rule matches no events
      return;
    }
    index.set(rule.Arn, compiled);
  }

  // ---- targets ----

  putTargets(input: PutTargetsRequest): {
    FailedEntryCount: number;
    FailedEntries: { TargetId: string; ErrorCode: string; ErrorMessage: string }[];
  } {
    const rule = this.requireRule(input);
    const targets = input.Targets;
    if (!Array.isArray(targets) || targets.length === 0 || targets.length > 10) {
      throw invalidField({
        member: 'targets',
        constraint:
          Array.isArray(targets) && targets.length > 10 ? constraint.maxLength(10) : constraint.minLength(1),
      });
    }
    const incoming = targets.map((target): TargetRecord => {
      checkName(target.Id, 'targets.member.id', NAME, 64);
      if (typeof target.Arn !== 'string' || target.Arn.length === 0) {
        throw invalidField({ value: null, member: 'targets.member.arn', constraint: constraint.notNull });
      }
      validateTargetInput(target);
      // Checked above as far as delivery relies on it; the rest is kept as given, as AWS does.
      return { ...target } as TargetRecord;
    });
    const kept = rule.targets.filter(
      (target) => !incoming.some((replacement) => replacement.Id === target.Id),
    );
    if (kept.length + incoming.length > MAX_TARGETS_PER_RULE) {
      throw new AwsServiceError(
        'LimitExceededException',
        'The requested resource exceeds the maximum number allowed.',
        400,
      );
    }
    rule.targets = [...kept, ...incoming];
    this.save();
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  private removeTargets(input: RemoveTargetsRequest) {
    const rule = this.requireRule(input);
    const ids = Array.isArray(input.Ids)
      ? input.Ids.filter((id): id is string => typeof id === 'string')
      : [];
    rule.targets = rule.targets.filter((target) => !ids.includes(target.Id));
    this.save();
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  private listTargetsByRule(input: ListTargetsByRuleRequest) {
    const rule = this.requireRule(input);
    const { page, NextToken } = pageOf(
      rule.targets.toSorted((left, right) => codeUnitOrder(left.Id, right.Id)),
      input,
      targetPaging,
    );
    return { Targets: page, ...(NextToken ? { NextToken } : {}) };
  }

  // ---- archives ----

  createArchive(input: CreateArchiveRequest): { ArchiveArn: string; State: 'ENABLED'; CreationTime: number } {
    const name = checkName(input.ArchiveName, 'archiveName', NAME, 48);
    if (typeof input.EventSourceArn !== 'string') {
      throw invalidField({ value: null, member: 'eventSourceArn', constraint: constraint.notNull });
    }
    const bus = this.requireBus(input.EventSourceArn);
    if (this.state.archives.some((archive) => archive.ArchiveName === name)) {
      throw alreadyExists(`Archive ${name} already exists.`);
    }
    const pattern = optionalText(input.EventPattern);
    if (pattern) compileEventPattern(pattern);
    const archive: ArchiveRecord = {
      ArchiveName: name,
      ArchiveArn: archiveArn(this.account, name),
      EventSourceArn: bus.Arn,
      EventBusName: bus.Name,
      RetentionDays: typeof input.RetentionDays === 'number' ? input.RetentionDays : 0,
      CreationTime: epochSeconds(this.clock.now()),
      EventCount: 0,
      SizeBytes: 0,
      ...(typeof input.Description === 'string' ? { Description: input.Description } : {}),
      ...(pattern ? { EventPattern: pattern } : {}),
    };
    this.state.archives.push(archive);
    this.indexArchive(archive);
    this.save();
    return { ArchiveArn: archive.ArchiveArn, State: 'ENABLED', CreationTime: archive.CreationTime };
  }

  private describeArchive(input: DescribeArchiveRequest): Record<string, unknown> {
    const name = checkName(input.ArchiveName, 'archiveName', NAME, 48);
    const archive = this.state.archives.find((candidate) => candidate.ArchiveName === name);
    if (!archive) throw notFound(`Archive ${name} does not exist.`);
    const { EventBusName: _bus, ...described } = archive;
    return { ...described, State: 'ENABLED' };
  }

  private indexArchive(archive: ArchiveRecord): void {
    this.archiveMatchers.set(
      archive.ArchiveName,
      archive.EventPattern ? compileEventPattern(archive.EventPattern) : undefined,
    );
  }

  private archiveEvent(event: EventEnvelope, busName: string, ingestedAt: number): void {
    const day = new Date(ingestedAt).toISOString().slice(0, 10);
    for (const archive of this.state.archives) {
      if (archive.EventBusName !== busName) continue;
      const matcher = this.archiveMatchers.get(archive.ArchiveName);
      if (matcher && !matcher(event)) continue;
      const bytes = appendJsonLine(
        join(this.directory, 'archive', archive.ArchiveName, `${day}.jsonl`),
        event,
      );
      archive.EventCount++;
      archive.SizeBytes += bytes;
      this.saveCountersSoon();
    }
  }

  // ---- events ----

  /** PutEvents: validates, accepts, archives and queues delivery; returns before any target is called. */
  async putEvents(
    entries: readonly EventEntry[] | undefined,
  ): Promise<{ FailedEntryCount: number; Entries: PutEventsResultEntry[] }> {
    if (!Array.isArray(entries) || entries.length === 0) {
      throw invalidField({ value: '[]', member: 'entries', constraint: constraint.minLength(1) });
    }
    if (entries.length > MAX_ENTRIES_PER_PUT) {
      throw invalidField({
        value: '[PutEventsRequestEntry]',
        member: 'entries',
        constraint: constraint.maxLength(MAX_ENTRIES_PER_PUT),
      });
    }
    const typed = entries as EventEntry[];
    const totalBytes = typed.reduce(
      (sum, entry) =>
        sum +
        (entry.Time !== undefined ? 14 : 0) +
        utf8Bytes(entry.Source) +
        utf8Bytes(entry.DetailType) +
        utf8Bytes(entry.Detail) +
        (entry.Resources ?? []).reduce((bytes, resource) => bytes + utf8Bytes(resource), 0),
      0,
    );
    if (totalBytes > MAX_REQUEST_BYTES)
      throw validationError('Total size of the entries in the request is over the limit.');

    const jobs: DeliveryJob[] = [];
    const results = typed.map((entry) => this.acceptEntry(entry, jobs));
    // Journalled before PutEvents answers: an accepted event's deliveries survive a restart.
    this.deliveries.enqueue(jobs);
    const Entries = results.map((result) => ('event' in result ? { EventId: result.event.id } : result));
    return { FailedEntryCount: Entries.filter((entry) => entry.ErrorCode !== undefined).length, Entries };
  }

  private acceptEntry(
    entry: EventEntry,
    jobs: DeliveryJob[],
  ): PutEventsResultEntry | { event: EventEnvelope } {
    const invalid = (field: string): PutEventsResultEntry => ({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
    });
    if (!entry.Source) return invalid('Source');
    if (!entry.DetailType) return invalid('DetailType');
    if (!entry.Detail) return invalid('Detail');
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      detail = undefined;
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    const bus = this.findBus(entry.EventBusName);
    if (!bus) {
      return {
        ErrorCode: 'ResourceNotFoundException',
        ErrorMessage: `Event bus ${busNameOf(entry.EventBusName)} does not exist.`,
      };
    }
    const ingestedAt = this.clock.now();
    const event: EventEnvelope = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: this.account.accountId,
      time: eventTime(entry.Time, ingestedAt),
      region: this.account.region,
      resources: [...(entry.Resources ?? [])],
      detail: detail as Record<string, unknown>,
    };
    this.archiveEvent(event, bus.Name, ingestedAt);
    this.route(event, bus.Name, ingestedAt, jobs);
    return { event };
  }

  private route(event: EventEnvelope, busName: string, ingestedAt: number, jobs: DeliveryJob[]): void {
    const index = this.indexes.get(busName);
    if (!index) return;
    for (const arn of index.matching(event)) {
      const rule = this.rulesByArn.get(arn);
      if (rule && rule.State !== 'DISABLED') jobs.push(...jobsFor(rule, event, ingestedAt));
    }
  }

  // ---- scheduled rules ----

  private syncSchedule(rule: RuleRecord): void {
    if (rule.ScheduleExpression && rule.State !== 'DISABLED') {
      this.schedules.set(rule.Arn, rule.ScheduleExpression, rule.scheduledSince ?? this.clock.now());
    } else {
      this.schedules.delete(rule.Arn);
    }
  }

  /** A scheduled rule's event, shaped as AWS sends it: from aws.events, naming the rule, with empty detail. */
  private fireScheduledRule(ruleArn: string, occurrence: number): void {
    const rule = this.rulesByArn.get(ruleArn);
    if (!rule) return;
    const event: EventEnvelope = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: this.account.accountId,
      time: eventTime(undefined, occurrence),
      region: this.account.region,
      resources: [rule.Arn],
      detail: {},
    };
    this.deliveries.enqueue(jobsFor(rule, event, this.clock.now()));
  }

  // ---- persistence ----

  private get statePath(): string {
    return join(this.directory, 'state.json');
  }

  /** Writes the whole state now, counters included. */
  private save(): void {
    clearTimeout(this.counterSave);
    this.counterSave = undefined;
    writeJsonAtomic(this.statePath, this.state);
  }

  private saveCountersSoon(): void {
    if (this.counterSave) return;
    // A real-time timer, not the clock: this is I/O batching, and a manual clock may never advance.
    this.counterSave = setTimeout(() => this.save(), COUNTER_SAVE_DELAY_MS);
    this.counterSave.unref();
  }
}
