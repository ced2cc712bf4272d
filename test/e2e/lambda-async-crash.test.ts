/**
 * `npm start` killed with SIGKILL right after acknowledging asynchronous work, and started again on the same
 * state directory: every acknowledged Messenger message is answered exactly once. Half arrive as signed
 * webhook deliveries (webhook → bus → rule → the conversation function, an `Event` invocation), half as
 * direct `Invoke` calls with InvocationType Event; the answers are what the Graph stand-in recorded.
 *
 * The conversation function is throttled to zero concurrency before the messages arrive, so at the kill every
 * one is accepted and none has run: what survives is exactly what the journals kept. The restart deploys the
 * template again, which gives the function its concurrency back.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  PutFunctionConcurrencyCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDelivery } from '../../functions/shared/messenger/signature';
import { synthesizeCached } from '../../infra/local/synth';
import { delivery, newMid, PAGE_ID, textMessage } from '../fixtures/messenger/deliveries';
import { type CliProcess, startCliProcess } from '../support/cli-process';
import { edgeClientConfig } from '../support/local-cloud';
import { eventually } from '../support/polling';

const APP_SECRET = 'aurora-dev-app-secret';
const WEBHOOK_MESSAGES = 25;
const INVOKED_MESSAGES = 25;

const stateDir = mkdtempSync(join(tmpdir(), 'aurora-async-crash-'));
const children: ChildProcess[] = [];

// Synthesized up front, so that neither start pays for it within the test's time.
beforeAll(() => {
  synthesizeCached();
});

afterAll(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(stateDir, { recursive: true, force: true });
});

interface RecordedSend {
  readonly recipient: string;
  readonly message?: { readonly text?: string };
}

const lambdaAt = (cli: CliProcess) => new LambdaClient(edgeClientConfig(cli.edgeUrl, 'us-east-1'));

async function conversationFunction(lambda: LambdaClient): Promise<string> {
  const { Functions = [] } = await lambda.send(new ListFunctionsCommand({}));
  // CloudFormation names it after the stack and the construct: Aurora-dev-Conversation-ConversationFunction…
  const name = Functions.find((fn) => fn.FunctionName?.includes('-ConversationFunction'))?.FunctionName;
  if (!name) throw new Error(`no conversation function among ${Functions.map((fn) => fn.FunctionName)}`);
  return name;
}

/** What the webhook publishes for a text message, as the rule hands it to the function. */
function messageReceivedEvent(psid: string, mid: string, text: string) {
  const now = new Date().toISOString();
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'MessageReceived',
    source: 'aurora.messenger',
    account: '000000000000',
    time: now,
    region: 'us-east-1',
    resources: [],
    detail: { schemaVersion: 1, mid, psid, pageId: PAGE_ID, sentAt: now, text },
  };
}

async function sends(cli: CliProcess): Promise<RecordedSend[]> {
  const response = await fetch(`${cli.edgeUrl}/_aurora/messenger/sent`);
  return (await response.json()) as RecordedSend[];
}

/** Replies per person, throwing as soon as anyone has more than one. */
async function repliesPerPerson(cli: CliProcess, people: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map(people.map((psid) => [psid, 0]));
  for (const send of await sends(cli)) {
    const count = counts.get(send.recipient);
    if (count === undefined) continue;
    if (count >= 1) throw new Error(`${send.recipient} was answered twice`);
    counts.set(send.recipient, count + 1);
  }
  return counts;
}

describe('kill -9 with acknowledged asynchronous invocations', () => {
  it('answers every acknowledged message exactly once after the restart', async () => {
    const first = await startCliProcess(stateDir, children);
    const lambda = lambdaAt(first);
    const functionName = await conversationFunction(lambda);
    await lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: functionName, ReservedConcurrentExecutions: 0 }),
    );

    const people = Array.from({ length: WEBHOOK_MESSAGES + INVOKED_MESSAGES }, (_, index) =>
      String(8_100_000_000_000 + index),
    );
    const mids = new Map<string, string>();
    for (const psid of people) {
      // Meta's side: the person wrote, which opens the messaging window for the reply.
      const inbound = await fetch(`${first.edgeUrl}/_aurora/messenger/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ psid }),
      });
      expect(inbound.status).toBe(204);
      mids.set(psid, newMid());
    }
    for (const psid of people.slice(0, WEBHOOK_MESSAGES)) {
      const body = JSON.stringify(delivery([textMessage(psid, 'help', Date.now(), mids.get(psid))]));
      const response = await fetch(`${first.apiUrl}/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': signDelivery(body, APP_SECRET),
        },
        body,
      });
      expect(response.status).toBe(200);
    }
    for (const psid of people.slice(WEBHOOK_MESSAGES)) {
      const event = messageReceivedEvent(psid, mids.get(psid) ?? '', 'help');
      const accepted = await lambda.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'Event',
          Payload: Buffer.from(JSON.stringify(event)),
        }),
      );
      expect(accepted.StatusCode).toBe(202);
    }
    // Right after the last acknowledgement: nothing has been answered yet.
    expect(await sends(first)).toEqual([]);
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await exited;
    lambda.destroy();

    const second = await startCliProcess(stateDir, children);
    let answered = 0;
    await eventually(
      async () => {
        const counts = await repliesPerPerson(second, people);
        answered = [...counts.values()].filter((count) => count === 1).length;
        return answered === people.length ? true : undefined;
      },
      30_000,
      'a reply to every acknowledged message',
    ).catch((error: Error) => {
      throw new Error(`${answered} of ${people.length} acknowledged messages answered. ${error.message}`);
    });
    const [someone] = people;
    const [reply] = (await sends(second)).filter((send) => send.recipient === someone);
    expect(reply?.message?.text).toContain('remind me to');

    // The webhook publishing a message twice (stopped between publishing and completing its own idempotency
    // record, then redelivered by Meta) gives a second event id for the same mid: still one answer.
    const restarted = lambdaAt(second);
    const repeat = messageReceivedEvent(someone ?? '', mids.get(someone ?? '') ?? '', 'help');
    const result = await restarted.send(
      new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(repeat)) }),
    );
    expect(result.FunctionError).toBeUndefined();
    restarted.destroy();
    // Nobody is answered a second time: resumed invocations and redeliveries are deduplicated.
    const watchUntil = Date.now() + 1_000;
    await eventually(
      async () => {
        await repliesPerPerson(second, people);
        return Date.now() > watchUntil ? true : undefined;
      },
      5_000,
      'a quiet second after the last reply',
    );
    second.child.kill('SIGTERM');
  });
});
