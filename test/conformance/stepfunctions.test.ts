/**
 * Plays every AWS-recorded Step Functions case from ../shared/conformance/stepfunctions through the local
 * engine and compares status, output or error+cause, and the sequence of history event types.
 * Lambda tasks get the recorded behaviour through the task port. Timers run on a manual clock that the
 * driver moves to the next due timer whenever the execution is idle.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { Clock, type TimerHandle } from '../../infra/local/clock';
import { Execution } from '../../infra/local/stepfunctions/engine/execution';
import { TaskTokens } from '../../infra/local/stepfunctions/engine/task-tokens';
import {
  AwsCallError,
  type LambdaInvocation,
  type TaskPort,
} from '../../infra/local/stepfunctions/engine/tasks';
import type { MachineDefinition } from '../../infra/local/stepfunctions/engine/types';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const casesDir = resolve(repoRoot, '../shared/conformance/stepfunctions');

interface RecordedEvent {
  type: string;
  [key: string]: unknown;
}

interface ConformanceCase {
  name: string;
  definition: MachineDefinition;
  input: unknown;
  lambdaBehaviour?: Record<string, LambdaBehaviour>;
  inputGenerator?: Record<string, { utcNowPlusDays: number; format: string }>;
  notes?: string[];
  expected: { status: string; output?: unknown; error?: string; cause?: string; events?: RecordedEvent[] };
}

interface LambdaBehaviour {
  echo?: boolean;
  delaySeconds?: number;
  return?: unknown;
  rawResponse?: string | { repeat: string; count: number };
  raise?: { errorType: string; errorMessage: string };
}

/** A manual clock that knows its pending timers, so the driver can jump straight to the next one. */
class SteppingClock extends Clock {
  private readonly pending = new Set<TimerHandle>();

  override at(dueAt: number, callback: () => void): TimerHandle {
    const handle: TimerHandle = super.at(dueAt, () => {
      this.pending.delete(handle);
      callback();
    });
    this.pending.add(handle);
    return handle;
  }

  nextDue(): number | undefined {
    let next: number | undefined;
    for (const handle of this.pending) {
      if (handle.cancelled) this.pending.delete(handle);
      else if (next === undefined || handle.dueAt < next) next = handle.dueAt;
    }
    return next;
  }
}

const PLACEHOLDER_VALUES = new Set([
  'date',
  'timestamp',
  '<timestamp>',
  'RequestId',
  'x-amzn-RequestId',
  'X-Amzn-Trace-Id',
  'generated-uuid',
  'RandomNumberGenerated',
  'LogResult',
  'start-time',
  '<start-time>',
  'entered-time',
  '<entered-time>',
  'map_run_arn',
]);
/**
 * Lambda stack traces point into the original Python handler, and Content-Length counts the real function
 * names that the recorder replaced with placeholders: both are opaque.
 */
const OPAQUE_KEYS = new Set(['stackTrace', 'Content-Length']);
const EMBEDDED_PLACEHOLDER = /<[A-Za-z_:\-0-9]+>/;

/** Expected values carry the recorder's placeholders; they match whatever value stood there. */
function matchesRecorded(expected: unknown, actual: unknown): boolean {
  if (typeof expected === 'string') return stringMatchesRecorded(expected, actual);
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((item, index) => matchesRecorded(item, actual[index]))
    );
  }
  if (expected !== null && typeof expected === 'object') {
    return objectMatchesRecorded(expected as Record<string, unknown>, actual);
  }
  return expected === actual;
}

function stringMatchesRecorded(expected: string, actual: unknown): boolean {
  if (PLACEHOLDER_VALUES.has(expected) || /^<LogResult:\d+>$/.test(expected)) return true;
  if (expected === actual) return true;
  if (typeof actual !== 'string') return false;
  if (expected.startsWith("{'errorMessage'")) return pythonCauseMatches(expected, actual);
  const expectedJson = parseJsonText(expected);
  const actualJson = parseJsonText(actual);
  if (expectedJson !== undefined && actualJson !== undefined)
    return matchesRecorded(expectedJson, actualJson);
  if (!EMBEDDED_PLACEHOLDER.test(expected)) return false;
  const pattern = expected
    .split(new RegExp(EMBEDDED_PLACEHOLDER, 'g'))
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]*?');
  return new RegExp(`^${pattern}$`).test(actual);
}

function objectMatchesRecorded(expected: Record<string, unknown>, actual: unknown): boolean {
  // The recorder parsed JSON texts that start with `{`; the engine keeps AWS's text.
  if (typeof actual === 'string') return matchesRecorded(expected, parseJsonText(actual));
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
  const actualRecord = actual as Record<string, unknown>;
  const keys = Object.keys(expected);
  return (
    keys.length === Object.keys(actualRecord).length &&
    keys.every(
      (key) =>
        key in actualRecord && (OPAQUE_KEYS.has(key) || matchesRecorded(expected[key], actualRecord[key])),
    )
  );
}

/** A JSON object or array given as text (a Lambda error body inside a cause), else undefined. */
function parseJsonText(text: string): unknown {
  if (!/^\s*[[{]/.test(text)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Lambda error causes were stored as Python dict text; compare the message and type they carry. */
function pythonCauseMatches(expected: string, actual: string): boolean {
  try {
    const parsed = JSON.parse(actual) as { errorMessage?: string; errorType?: string };
    return (
      expected.includes(`'errorMessage': '${parsed.errorMessage}'`) &&
      expected.includes(`'errorType': '${parsed.errorType}'`)
    );
  } catch {
    return false;
  }
}

function strftime(date: Date, format: string): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return format
    .replace('%Y', String(date.getUTCFullYear()))
    .replace('%m', pad(date.getUTCMonth() + 1))
    .replace('%d', pad(date.getUTCDate()))
    .replace('%H', pad(date.getUTCHours()))
    .replace('%M', pad(date.getUTCMinutes()))
    .replace('%S', pad(date.getUTCSeconds()));
}

function caseInput(testCase: ConformanceCase, now: number): unknown {
  let input = testCase.input;
  const started = testCase.expected.events?.find((event) => event.type === 'ExecutionStarted');
  if (input === null && started) {
    const recorded = (started.executionStartedEventDetails as { input?: unknown } | undefined)?.input;
    input = typeof recorded === 'string' ? JSON.parse(recorded) : (recorded ?? null);
  }
  if (testCase.inputGenerator && input !== null && typeof input === 'object') {
    const generated: Record<string, unknown> = { ...(input as Record<string, unknown>) };
    for (const [key, generator] of Object.entries(testCase.inputGenerator)) {
      generated[key] = strftime(new Date(now + generator.utcNowPlusDays * 86_400_000), generator.format);
    }
    input = generated;
  }
  return input;
}

function pythonJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}: ${pythonJson(item)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}

function lambdaPort(behaviours: Record<string, LambdaBehaviour>, clock: Clock): TaskPort {
  return {
    async invokeLambda(functionName, payload, options): Promise<LambdaInvocation> {
      const logType = options.logType;
      const name = functionName.includes(':function:')
        ? (functionName.split(':function:')[1] ?? '')
        : functionName;
      const behaviour = behaviours[name.split(':')[0] ?? name];
      if (!behaviour) {
        throw new AwsCallError(
          'ResourceNotFoundException',
          `Function not found: arn:<partition>:lambda:<region>:111111111111:function:${name}:$LATEST`,
          404,
        );
      }
      if (behaviour.delaySeconds) await clock.sleep(behaviour.delaySeconds * 1000);
      if (behaviour.raise) {
        return {
          payload: JSON.stringify({
            errorMessage: behaviour.raise.errorMessage,
            errorType: behaviour.raise.errorType,
            requestId: crypto.randomUUID(),
            stackTrace: [],
          }),
          functionError: 'Unhandled',
        };
      }
      if (behaviour.rawResponse !== undefined) {
        const raw = behaviour.rawResponse;
        return { payload: typeof raw === 'string' ? raw : raw.repeat.repeat(raw.count) };
      }
      if (logType === 'Tail')
        return {
          payload: pythonJson(JSON.parse(payload)),
          logResult: Buffer.from('log tail').toString('base64'),
        };
      if ('return' in behaviour) return { payload: pythonJson(behaviour.return) };
      // The recorded functions are Python: their responses use json.dumps spacing.
      return { payload: pythonJson(JSON.parse(payload)) };
    },
    async callAws(service, action) {
      throw new AwsCallError(
        'UnknownOperationException',
        `${service}:${action} is not part of the recorded cases`,
      );
    },
  };
}

const HORIZON_MS = 365 * 86_400_000;

async function play(testCase: ConformanceCase, executionIndex: number) {
  const start = Date.now();
  const clock = new SteppingClock('manual', start);
  const stateMachineName = '<ArnPart_0idx>';
  const name = `<ExecArnPart_${executionIndex}idx>`;
  const execution = new Execution(
    {
      executionArn: `arn:<partition>:states:<region>:111111111111:execution:${stateMachineName}:${name}`,
      name,
      stateMachineArn: `arn:<partition>:states:<region>:111111111111:stateMachine:${stateMachineName}`,
      stateMachineName,
      roleArn: 'snf_role_arn',
      region: '<region>',
      definition: testCase.definition,
      input: caseInput(testCase, start),
      startTime: start,
    },
    {
      clock,
      tasks: lambdaPort(testCase.lambdaBehaviour ?? {}, clock),
      tokens: new TaskTokens(),
      log: () => undefined,
    },
  );
  void execution.start();
  for (;;) {
    await new Promise((settle) => setImmediate(settle));
    if (execution.status !== 'RUNNING') break;
    const due = clock.nextDue();
    if (due === undefined || due - clock.now() > HORIZON_MS) break;
    clock.set(Math.max(due, clock.now()));
  }
  if (execution.status === 'RUNNING') execution.stop();
  return execution;
}

const parseDetail = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
};

const PARALLEL_SUBLIST_ENDS = new Set([
  'ParallelStateSucceeded',
  'ParallelStateAborted',
  'ParallelStateExited',
  'ParallelStateFailed',
]);

/**
 * The recorder normalised Parallel histories with LocalStack's SfnNoneRecursiveParallelTransformer: after a
 * ParallelStateStarted it collects the events up to the next ParallelState{Succeeded,Failed,Aborted,Exited}
 * and writes them back sorted with `events[start:i] = sorted(sublist)`. It never resets the sublist, so at
 * the second closing event of a pair (…Succeeded then …Exited) that slice is one longer than the sublist and
 * the event before the closing one is deleted (the gaps in the recorded ids show where). Replaying the same
 * splices on the engine's history gives what the recorder would have stored for it; order inside a sublist
 * is not compared (branches run concurrently).
 */
function recorderParallelNormalised(types: readonly string[]): string[] {
  const events = [...types];
  let start = 0;
  let sublist: string[] = [];
  let inSublist = false;
  // Like the recorder's loop, the index runs over a list that the splices shorten.
  for (let index = 0; index < events.length; index++) {
    const type = events[index] ?? '';
    if (PARALLEL_SUBLIST_ENDS.has(type)) {
      events.splice(start, index - start, ...sublist);
      inSublist = false;
    } else if (type === 'ParallelStateStarted') {
      inSublist = true;
      sublist = [];
      start = index + 1;
    } else if (inSublist) {
      sublist.push(type);
    }
  }
  return events;
}

type PlayedExecution = Awaited<ReturnType<typeof play>>;

/** The case was recorded while the execution still ran (the replay then ends ABORTED, which counts as RUNNING). */
const wasRunning = (testCase: ConformanceCase): boolean => testCase.expected.status === 'RUNNING';

function checkOutcome(testCase: ConformanceCase, execution: PlayedExecution): void {
  const { expected } = testCase;
  const actualStatus = wasRunning(testCase) && execution.status === 'ABORTED' ? 'RUNNING' : execution.status;
  expect({ status: actualStatus, error: execution.error, cause: execution.cause }).toMatchObject({
    status: expected.status,
  });
  if (expected.status === 'SUCCEEDED') {
    expect(matchesRecorded(expected.output, execution.output), JSON.stringify(execution.output)).toBe(true);
  }
  if (expected.status === 'FAILED') {
    expect(execution.error).toEqual(expected.error ?? undefined);
    expect(
      expected.cause === undefined || expected.cause === null
        ? execution.cause === undefined
        : matchesRecorded(expected.cause, execution.cause),
      `cause: ${execution.cause}`,
    ).toBe(true);
  }
}

function checkHistory(
  testCase: ConformanceCase,
  execution: PlayedExecution,
  recorded: readonly RecordedEvent[],
): void {
  const recordedTypes = recorded.map((event) => event.type);
  const actualTypes = execution.history.events.map((event) => event.type);
  const lastRecorded = recorded.at(-1);
  if (wasRunning(testCase)) {
    // Read while running: AWS's history so far is a prefix of the whole one.
    expect(actualTypes.slice(0, recordedTypes.length)).toEqual(recordedTypes);
  } else if (testCase.notes?.some((note) => note.includes('Parallel'))) {
    expect(recorderParallelNormalised(actualTypes).sort()).toEqual([...recordedTypes].sort());
    // The normalisation dropped events, but the last event keeps AWS's id: the full count.
    if (typeof lastRecorded?.id === 'number') expect(actualTypes.length).toBe(lastRecorded.id);
  } else {
    expect(actualTypes).toEqual(recordedTypes);
  }
  if (lastRecorded?.type === 'ExecutionSucceeded') checkSucceededEvent(lastRecorded, execution);
}

function checkSucceededEvent(lastRecorded: RecordedEvent, execution: PlayedExecution): void {
  const details = lastRecorded.executionSucceededEventDetails as { output?: unknown };
  const actualLast = execution.history.events.at(-1) as Record<string, unknown> | undefined;
  const actualDetails = actualLast?.executionSucceededEventDetails as { output?: unknown } | undefined;
  expect(matchesRecorded(parseDetail(details.output), parseDetail(actualDetails?.output))).toBe(true);
}

const files = existsSync(casesDir)
  ? readdirSync(casesDir)
      .filter((file) => file.endsWith('.json'))
      .sort()
  : [];
if (files.length === 0) {
  console.warn(
    `\n!!! Step Functions conformance data not found at ${casesDir}: no conformance cases registered !!!\n`,
  );
}

const tally = new Map<string, { passed: number; total: number }>();

for (const file of files) {
  const category = file.replace(/\.json$/, '');
  const cases = JSON.parse(readFileSync(resolve(casesDir, file), 'utf8')) as ConformanceCase[];
  describe(category, () => {
    for (const testCase of cases) {
      test(`${category} › ${testCase.name}`, async () => {
        const counts = tally.get(category) ?? { passed: 0, total: 0 };
        tally.set(category, counts);
        counts.total++;
        const executionIndex = Number(/#(\d+)$/.exec(testCase.name)?.[1] ?? 0);
        const execution = await play(testCase, executionIndex);
        checkOutcome(testCase, execution);
        if (testCase.expected.events) checkHistory(testCase, execution, testCase.expected.events);
        counts.passed++;
      });
    }
  });
}

/** Printed as the Markdown table that docs/local-stepfunctions.md carries. */
afterAll(() => {
  if (tally.size === 0) return;
  const rows = [...tally.entries()].map(
    ([category, { passed, total }]) => `| ${category} | ${passed}/${total} |`,
  );
  const passed = [...tally.values()].reduce((sum, counts) => sum + counts.passed, 0);
  const total = [...tally.values()].reduce((sum, counts) => sum + counts.total, 0);
  console.log(
    `\nStep Functions conformance pass rate per category:\n\n| category | passed |\n|---|---|\n${rows.join('\n')}\n| **total** | **${passed}/${total}** |\n`,
  );
});
