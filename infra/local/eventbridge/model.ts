/** The persisted shapes of the local EventBridge (buses, rules with their targets, archives) and ARN helpers. */
import type { InputTransformerConfig } from './target-input';

export const DEFAULT_BUS = 'default';

export interface RetryPolicy {
  readonly MaximumRetryAttempts?: number;
  readonly MaximumEventAgeInSeconds?: number;
}

export interface TargetRecord {
  readonly Id: string;
  readonly Arn: string;
  readonly RoleArn?: string;
  readonly Input?: string;
  readonly InputPath?: string;
  readonly InputTransformer?: InputTransformerConfig;
  readonly RetryPolicy?: RetryPolicy;
  readonly DeadLetterConfig?: { readonly Arn?: string };
  readonly SqsParameters?: { readonly MessageGroupId?: string };
}

export interface RuleRecord {
  readonly Name: string;
  readonly EventBusName: string;
  readonly Arn: string;
  EventPattern?: string;
  ScheduleExpression?: string;
  State: 'ENABLED' | 'DISABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
  Description?: string;
  RoleArn?: string;
  targets: TargetRecord[];
  /** Epoch ms the rule got its ScheduleExpression: where rate() intervals count from. Not part of the API. */
  scheduledSince?: number;
}

export interface BusRecord {
  readonly Name: string;
  readonly Arn: string;
  Description?: string;
  readonly CreationTime: number;
  LastModifiedTime: number;
}

export interface ArchiveRecord {
  readonly ArchiveName: string;
  readonly ArchiveArn: string;
  readonly EventSourceArn: string;
  readonly EventBusName: string;
  Description?: string;
  EventPattern?: string;
  RetentionDays: number;
  readonly CreationTime: number;
  EventCount: number;
  SizeBytes: number;
}

export interface EventBridgeState {
  buses: BusRecord[];
  rules: RuleRecord[];
  archives: ArchiveRecord[];
}

/** The event as delivered to targets (and matched by patterns). */
export interface EventEnvelope extends Record<string, unknown> {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: string[];
  readonly detail: Record<string, unknown>;
}

export interface Arns {
  readonly region: string;
  readonly accountId: string;
}

export const busArn = ({ region, accountId }: Arns, name: string): string =>
  `arn:aws:events:${region}:${accountId}:event-bus/${name}`;

export const ruleArn = ({ region, accountId }: Arns, bus: string, name: string): string =>
  `arn:aws:events:${region}:${accountId}:rule/${bus === DEFAULT_BUS ? '' : `${bus}/`}${name}`;

export const archiveArn = ({ region, accountId }: Arns, name: string): string =>
  `arn:aws:events:${region}:${accountId}:archive/${name}`;

/** A bus named directly or by its ARN. */
export const busNameOf = (nameOrArn: string | undefined): string => {
  if (!nameOrArn) return DEFAULT_BUS;
  const marker = ':event-bus/';
  const at = nameOrArn.indexOf(marker);
  return nameOrArn.startsWith('arn:') && at >= 0 ? nameOrArn.slice(at + marker.length) : nameOrArn;
};
