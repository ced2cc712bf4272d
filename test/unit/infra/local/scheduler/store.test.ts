import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ScheduleDefinition, ScheduleStore } from '../../../../../infra/local/scheduler/store';

const directories: string[] = [];
const freshDirectory = (): string => {
  const directory = mkdtempSync(join(tmpdir(), 'scheduler-store-'));
  directories.push(directory);
  return directory;
};
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

const schedule = (name: string, groupName = 'default'): ScheduleDefinition => ({
  Name: name,
  GroupName: groupName,
  Arn: `arn:aws:scheduler:eu-west-1:000000000000:schedule/${groupName}/${name}`,
  ScheduleExpression: 'rate(5 minutes)',
  State: 'ENABLED',
  Target: {
    Arn: 'arn:aws:lambda:eu-west-1:000000000000:function:f',
    RoleArn: 'arn:aws:iam::000000000000:role/r',
  },
  FlexibleTimeWindow: { Mode: 'OFF' },
  ActionAfterCompletion: 'NONE',
  CreationDate: 0,
  LastModificationDate: 0,
});

describe('ScheduleStore', () => {
  it('pops items in due order and ignores superseded and deleted occurrences', () => {
    const store = new ScheduleStore(freshDirectory());
    store.putSchedule(schedule('a'), { occurrence: 300, dueAt: 300 });
    store.putSchedule(schedule('b'), { occurrence: 100, dueAt: 100 });
    store.putSchedule(schedule('c'), { occurrence: 200, dueAt: 200 });
    store.setNext('default/b', { occurrence: 400, dueAt: 400 });
    store.deleteSchedule('default', 'c');
    expect(store.popDue(250)).toBeUndefined();
    const popped = [store.popDue(1000), store.popDue(1000), store.popDue(1000)];
    expect(popped.map((item) => (item?.kind === 'fire' ? item.key : item))).toEqual([
      'default/a',
      'default/b',
      undefined,
    ]);
  });

  it('reloads schedules, their next occurrences and pending deliveries from disk', () => {
    const directory = freshDirectory();
    const first = new ScheduleStore(directory);
    first.putGroup({ Name: 'team', Arn: 'arn:g', State: 'ACTIVE', CreationDate: 1, LastModificationDate: 1 });
    first.putSchedule(schedule('kept', 'team'), { occurrence: 500, dueAt: 530 });
    first.putSchedule(schedule('gone'), { occurrence: 100, dueAt: 100 });
    first.deleteSchedule('default', 'gone');
    first.putDelivery({
      id: 'd1',
      scheduleKey: 'team/kept',
      scheduleArn: 'arn:s',
      groupName: 'team',
      occurrence: 50,
      target: schedule('kept').Target,
      attempts: 2,
      dueAt: 70,
    });

    const second = new ScheduleStore(directory);
    expect(second.getGroup('team')?.Arn).toBe('arn:g');
    expect(second.getSchedule('team', 'kept')?.Name).toBe('kept');
    expect(second.getSchedule('default', 'gone')).toBeUndefined();
    expect(second.nextOccurrence('team', 'kept')).toEqual({ occurrence: 500, dueAt: 530 });
    const due = second.popDue(1000);
    expect(due?.kind === 'retry' && due.delivery.attempts).toBe(2);
    expect(second.popDue(1000)).toMatchObject({ kind: 'fire', key: 'team/kept', dueAt: 530 });
  });

  it('ignores a line torn by a crash in the middle of an append', () => {
    const directory = freshDirectory();
    const store = new ScheduleStore(directory);
    store.putSchedule(schedule('whole'), { occurrence: 1, dueAt: 1 });
    const journal = join(directory, 'journal.jsonl');
    const text = readFileSync(journal, 'utf8');
    writeFileSync(journal, `${text}{"op":"put","schedule":{"Na`);
    expect(new ScheduleStore(directory).getSchedule('default', 'whole')?.Name).toBe('whole');
  });

  it('compacts the journal into a snapshot instead of growing without bound', () => {
    const directory = freshDirectory();
    const store = new ScheduleStore(directory);
    store.putSchedule(schedule('steady'), { occurrence: 0, dueAt: 0 });
    for (let index = 1; index <= 12_000; index++)
      store.setNext('default/steady', { occurrence: index, dueAt: index });
    const journalSize = statSync(join(directory, 'journal.jsonl'), { throwIfNoEntry: false })?.size ?? 0;
    expect(journalSize).toBeLessThan(12_000 * 40);
    expect(statSync(join(directory, 'snapshot.json')).size).toBeGreaterThan(0);
    const reloaded = new ScheduleStore(directory);
    expect(reloaded.nextOccurrence('default', 'steady')).toEqual({ occurrence: 12_000, dueAt: 12_000 });
  });
});
