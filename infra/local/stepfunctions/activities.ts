/**
 * Step Functions activities: CreateActivity, DescribeActivity, DeleteActivity and GetActivityTask (with
 * long polling), and the queue between a Task state whose Resource is an activity ARN and the workers that
 * poll for it. A worker answers with the task token (SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat),
 * which the engine already awaits; ListActivities is paginated by the service like its other lists.
 *
 * Activities and queued tasks live in memory: a restart forgets activities created by API (the template's
 * are created again by the deployer) and queues the task of each resumed execution again.
 */

import type { SFN } from '@aws-sdk/client-sfn';
import type { Clock, TimerHandle } from '../clock';
import { AwsServiceError, type OperationsOf } from '../edge/contracts';
import type { LocalAccount } from '../shared/ports';

/** How long GetActivityTask waits for a task before answering with none, as AWS does. */
const POLL_SECONDS = 60;
/** The names the local service accepts for state machines too (AWS allows a few more characters). */
const NAME = /^[A-Za-z0-9_-]{1,80}$/;

export interface ActivitiesOptions {
  readonly clock: Clock;
  readonly account: LocalAccount;
  /** Whether an execution still waits for this token (one that ended no longer hands its task out). */
  readonly isAwaited: (token: string) => boolean;
}

interface ActivityRecord {
  readonly activityArn: string;
  readonly name: string;
  readonly creationDate: number;
}

interface QueuedTask {
  readonly token: string;
  readonly input: string;
  readonly onStarted: (workerName: string | undefined) => void;
}

interface Poller {
  readonly deliver: (task: QueuedTask | undefined) => void;
}

const seconds = (ms: number): number => ms / 1000;

const doesNotExist = (activityArn: string) =>
  new AwsServiceError('ActivityDoesNotExist', `Activity Does Not Exist: '${activityArn}'`);

export class Activities {
  private readonly activities = new Map<string, ActivityRecord>();
  private readonly queued = new Map<string, QueuedTask[]>();
  private readonly pollers = new Map<string, Poller[]>();

  constructor(private readonly options: ActivitiesOptions) {}

  /** In creation order, as ListActivities pages them. */
  list(): Array<{ activityArn: string; name: string; creationDate: number }> {
    return [...this.activities.values()].map((activity) => ({
      ...activity,
      creationDate: seconds(activity.creationDate),
    }));
  }

  /** The activity operations of the Step Functions API. */
  operations(): OperationsOf<SFN> {
    return {
      CreateActivity: ({ name }) => {
        const activity = this.create(name);
        return { activityArn: activity.activityArn, creationDate: seconds(activity.creationDate) };
      },
      DescribeActivity: ({ activityArn }) => {
        const activity = this.find(activityArn);
        return { ...activity, creationDate: seconds(activity.creationDate) };
      },
      DeleteActivity: ({ activityArn }) => {
        this.checkArn(activityArn);
        this.activities.delete(activityArn);
        return {};
      },
      GetActivityTask: ({ activityArn, workerName }) =>
        this.poll(this.find(activityArn).activityArn, workerName),
    };
  }

  /** A Task state's activity task: to the longest-waiting worker, or queued for the next poll. */
  schedule(
    activityArn: string,
    task: { readonly token: string; readonly input: string },
    onStarted: QueuedTask['onStarted'],
  ): void {
    if (!this.activities.has(activityArn)) throw doesNotExist(activityArn);
    const queuedTask: QueuedTask = { ...task, onStarted };
    const poller = this.pollers.get(activityArn)?.shift();
    if (poller) poller.deliver(queuedTask);
    else this.queued.set(activityArn, [...(this.queued.get(activityArn) ?? []), queuedTask]);
  }

  /** Answers every waiting poll with no task (the service is stopping). */
  close(): void {
    for (const waiting of this.pollers.values())
      for (const poller of waiting.splice(0)) poller.deliver(undefined);
  }

  private create(name: string | undefined): ActivityRecord {
    if (name === undefined || !NAME.test(name)) {
      throw new AwsServiceError('InvalidName', `Invalid Name: '${name ?? ''}'`);
    }
    const { region, accountId } = this.options.account;
    const activityArn = `arn:aws:states:${region}:${accountId}:activity:${name}`;
    // CreateActivity is idempotent: the same name gives the same activity.
    const existing = this.activities.get(activityArn);
    if (existing) return existing;
    const activity = { activityArn, name, creationDate: this.options.clock.now() };
    this.activities.set(activityArn, activity);
    return activity;
  }

  private checkArn(activityArn: string | undefined): asserts activityArn is string {
    if (!activityArn || !/^arn:aws[\w-]*:states:[^:]+:\d{12}:activity:.+$/.test(activityArn)) {
      throw new AwsServiceError('InvalidArn', `Invalid Arn: '${activityArn ?? ''}'`);
    }
  }

  private find(activityArn: string | undefined): ActivityRecord {
    this.checkArn(activityArn);
    const activity = this.activities.get(activityArn);
    if (!activity) throw doesNotExist(activityArn);
    return activity;
  }

  /** A queued task whose execution still waits for it, else undefined. */
  private takeQueued(activityArn: string): QueuedTask | undefined {
    const queue = this.queued.get(activityArn) ?? [];
    let task = queue.shift();
    while (task && !this.options.isAwaited(task.token)) task = queue.shift();
    return task;
  }

  private poll(activityArn: string, workerName: string | undefined): Promise<Record<string, unknown>> {
    const started = (task: QueuedTask | undefined) => {
      if (!task) return {};
      task.onStarted(workerName);
      return { taskToken: task.token, input: task.input };
    };
    const queued = this.takeQueued(activityArn);
    if (queued) return Promise.resolve(started(queued));
    const { clock } = this.options;
    return new Promise((resolve) => {
      let clockTimer: TimerHandle | undefined;
      let wallTimer: NodeJS.Timeout | undefined;
      const poller: Poller = {
        deliver: (task) => {
          clock.cancel(clockTimer);
          clearTimeout(wallTimer);
          resolve(started(task));
        },
      };
      const giveUp = () => {
        const waiting = this.pollers.get(activityArn) ?? [];
        const index = waiting.indexOf(poller);
        if (index !== -1) {
          waiting.splice(index, 1);
          poller.deliver(undefined);
        }
      };
      // Like SQS's long polls: the wait ends on the shared clock or the wall clock, whichever comes first.
      clockTimer = clock.after(POLL_SECONDS * 1000, giveUp);
      wallTimer = setTimeout(giveUp, POLL_SECONDS * 1000);
      this.pollers.set(activityArn, [...(this.pollers.get(activityArn) ?? []), poller]);
    });
  }
}
