/**
 * An archive's EventCount and SizeBytes are kept in memory and saved at most once a second, and on dispose:
 * what a process started later on the same state directory (a new service instance) reads back.
 */
import { describe, expect, it } from 'vitest';
import { EventBridgeService } from '../../../../../infra/local/eventbridge/service';
import { usePortsHarness } from '../../../../support/fake-ports';
import { eventually } from '../../../../support/polling';
import { ACCOUNT } from '../scheduler/fixtures';

const START = Date.parse('2026-03-01T10:00:00Z');
/** The longest a counter change may wait before it is saved. */
const COUNTER_SAVE_DELAY_MS = 1_000;

const harness = usePortsHarness({
  startAt: START,
  create: ({ clock, stateDir, ports }) =>
    new EventBridgeService({ clock, stateDir, account: ACCOUNT, ports }),
  stop: (service) => service.dispose(),
});

const reminder = (id: string) => ({
  Source: 'aurora.reminders',
  DetailType: 'ReminderDue',
  Detail: JSON.stringify({ id }),
});

function archiveDefaultBus(service: EventBridgeService): void {
  service.createArchive({
    ArchiveName: 'everything',
    EventSourceArn: `arn:aws:events:${ACCOUNT.region}:${ACCOUNT.accountId}:event-bus/default`,
  });
}

interface Counters {
  readonly EventCount: number;
  readonly SizeBytes: number;
}

async function countersOf(service: EventBridgeService): Promise<Counters> {
  const describe = service.edgeService.operations.DescribeArchive;
  if (!describe) throw new Error('no DescribeArchive operation');
  const { EventCount, SizeBytes } = (await describe(
    { ArchiveName: 'everything' },
    { ...ACCOUNT, requestId: 'describe' },
  )) as Counters;
  return { EventCount, SizeBytes };
}

/** The counters as saved: what a new instance on the same state directory reads (it is stopped again). */
async function savedCounters(): Promise<Counters> {
  const probe = new EventBridgeService({
    clock: harness.clock,
    stateDir: harness.stateDir,
    account: ACCOUNT,
    ports: harness.ports,
  });
  try {
    return await countersOf(probe);
  } finally {
    probe.dispose();
  }
}

describe('EventBridge archive counters', () => {
  it('are saved on dispose, so a restarted service reports them and counts on from there', async () => {
    const first = harness.start();
    archiveDefaultBus(first);
    await first.putEvents([reminder('r-1'), reminder('r-2')]);
    await first.putEvents([reminder('r-3')]);
    const counted = await countersOf(first);
    expect(counted.EventCount).toBe(3);
    expect(counted.SizeBytes).toBeGreaterThan(0);
    first.dispose();

    const second = harness.start();
    expect(await countersOf(second)).toEqual(counted);
    await second.putEvents([reminder('r-4')]);
    expect((await countersOf(second)).EventCount).toBe(4);
  });

  it('are saved about a second after they change, without a restart, and not on every PutEvents', async () => {
    const service = harness.start();
    archiveDefaultBus(service);
    const changedAt = Date.now();
    await service.putEvents([reminder('r-1'), reminder('r-2')]);
    // No timer can have run since PutEvents answered: the counters are not saved yet.
    expect(await savedCounters()).toEqual({ EventCount: 0, SizeBytes: 0 });

    const saved = await eventually(
      async () => {
        const counters = await savedCounters();
        return counters.EventCount === 0 ? undefined : counters;
      },
      changedAt + COUNTER_SAVE_DELAY_MS + 2_500 - Date.now(),
      'archive counters saved',
    );
    // Timers may fire a millisecond early; the margin keeps that from failing the test.
    expect(Date.now() - changedAt).toBeGreaterThanOrEqual(COUNTER_SAVE_DELAY_MS - 10);
    expect(saved).toEqual(await countersOf(service));
    expect(saved.EventCount).toBe(2);
  });
});
