/**
 * A TargetPorts fake that records every delivery, and a per-test harness around it for the services that
 * deliver through TargetPorts (EventBridge, Scheduler): a manual clock, the recorder, a temporary state
 * directory, and every service started in the test stopped after it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { Clock } from '../../infra/local/clock';
import type { EventEntry, TargetPorts } from '../../infra/local/shared/ports';

type MessageAttributes = Record<string, { DataType: string; StringValue?: string }>;

export interface RecordedCall {
  readonly port: 'lambda' | 'states' | 'sqs' | 'events' | 'sns' | 'firehose';
  readonly arn: string;
  readonly payload: string;
  readonly at: number;
  readonly attributes?: MessageAttributes;
  readonly entries?: readonly EventEntry[];
}

/** Records every call with the clock time it happened at; ARNs in `failing` throw like a refusing target. */
export class RecordingPorts implements TargetPorts {
  readonly calls: RecordedCall[] = [];
  readonly failing = new Set<string>();

  constructor(private readonly clock: Clock) {}

  callsTo(arn: string): RecordedCall[] {
    return this.calls.filter((call) => call.arn === arn);
  }

  async invokeLambdaAsync(functionArn: string, payload: string): Promise<void> {
    this.record({ port: 'lambda', arn: functionArn, payload });
  }

  async startExecution(stateMachineArn: string, input: string): Promise<string> {
    this.record({ port: 'states', arn: stateMachineArn, payload: input });
    return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:run`;
  }

  async sendToQueue(queueArn: string, body: string, attributes?: MessageAttributes): Promise<void> {
    this.record({ port: 'sqs', arn: queueArn, payload: body, ...(attributes && { attributes }) });
  }

  async putEvents(entries: readonly EventEntry[]): Promise<{ failedEntryCount: number }> {
    for (const entry of entries) {
      this.record({ port: 'events', arn: entry.EventBusName ?? '', payload: entry.Detail ?? '', entries });
    }
    return { failedEntryCount: 0 };
  }

  async publishToTopic(topicArn: string, message: string): Promise<void> {
    this.record({ port: 'sns', arn: topicArn, payload: message });
  }

  async putFirehoseRecord(deliveryStreamArn: string, data: string): Promise<void> {
    this.record({ port: 'firehose', arn: deliveryStreamArn, payload: data });
  }

  private record(call: Omit<RecordedCall, 'at'>): void {
    this.calls.push({ ...call, at: this.clock.now() });
    if (this.failing.has(call.arn)) {
      throw Object.assign(new Error(`${call.arn} is throttled`), { name: 'TooManyRequestsException' });
    }
  }
}

export function temporaryStateDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'ports-service-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** What a service under test is built from; the harness makes a fresh set for every test. */
export interface PortsTestEnvironment {
  readonly clock: Clock;
  readonly ports: RecordingPorts;
  readonly stateDir: string;
}

export interface PortsHarness<Service, StartArgs extends unknown[]> extends PortsTestEnvironment {
  /** Starts a service on this test's clock, ports and state directory; it is stopped after the test. */
  start(...args: StartArgs): Service;
  /** As a process started later would see it: a new clock at `instant` and new ports, same state directory. */
  restartAt(instant: number): void;
}

/** Registers the beforeEach/afterEach hooks of the harness; read its fields inside tests only. */
export function usePortsHarness<Service, StartArgs extends unknown[] = []>(options: {
  startAt: number;
  create: (environment: PortsTestEnvironment, ...args: StartArgs) => Service;
  stop: (service: Service) => void;
}): PortsHarness<Service, StartArgs> {
  let stateDir: ReturnType<typeof temporaryStateDir> | undefined;
  let clock: Clock | undefined;
  let ports: RecordingPorts | undefined;
  let services: Service[] = [];
  const current = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('The ports harness is only ready inside a test');
    return value;
  };
  const restartAt = (instant: number): void => {
    clock = new Clock('manual', instant);
    ports = new RecordingPorts(clock);
  };

  beforeEach(() => {
    stateDir = temporaryStateDir();
    restartAt(options.startAt);
    services = [];
  });
  afterEach(() => {
    for (const service of services) options.stop(service);
    stateDir?.remove();
  });

  const harness: PortsHarness<Service, StartArgs> = {
    get clock() {
      return current(clock);
    },
    get ports() {
      return current(ports);
    },
    get stateDir() {
      return current(stateDir).path;
    },
    start: (...args) => {
      const service = options.create(harness, ...args);
      services.push(service);
      return service;
    },
    restartAt,
  };
  return harness;
}
