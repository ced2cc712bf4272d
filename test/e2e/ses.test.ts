import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageRejected, SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import {
  NotFoundException,
  SESv2Client,
  SendEmailCommand as SendEmailV2Command,
} from '@aws-sdk/client-sesv2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Clock } from '../../infra/local/clock';
import { type Edge, startEdge } from '../../infra/local/edge/server';
import type { SentMail } from '../../infra/local/ses/mailbox';
import { SesService } from '../../infra/local/ses/service';

const account = { region: 'eu-west-1', accountId: '000000000000' };
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('SES through the edge', () => {
  let stateDir: string;
  let clock: Clock;
  let ses: SesService;
  let edge: Edge;
  let v1: SESClient;
  let v2: SESv2Client;

  beforeEach(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'aurora-ses-e2e-'));
    clock = new Clock('manual', Date.UTC(2030, 0, 1, 8));
    ses = new SesService({ clock, stateDir, account: account.accountId, publishEvents: async () => {} });
    edge = await startEdge({ port: 0, services: [ses], account });
    v1 = new SESClient({ endpoint: edge.url, region: account.region, credentials });
    v2 = new SESv2Client({ endpoint: edge.url, region: account.region, credentials });
  });

  afterEach(async () => {
    v1.destroy();
    v2.destroy();
    await edge.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function inbox(): Promise<SentMail[]> {
    return (await (await fetch(`${edge.url}/_aurora/ses/messages`)).json()) as SentMail[];
  }

  it('delivers v1 and v2 mail to the inbox JSON, newest first', async () => {
    ses.verifyIdentity('aurora.test');
    ses.createConfigurationSet('otp');
    const first = await v1.send(
      new SendEmailCommand({
        Source: 'no-reply@aurora.test',
        Destination: { ToAddresses: ['ann@example.org'] },
        Message: { Subject: { Data: 'Your code' }, Body: { Text: { Data: '123456' } } },
      }),
    );
    clock.advanceBy(60_000);
    const second = await v2.send(
      new SendEmailV2Command({
        FromEmailAddress: 'no-reply@aurora.test',
        Destination: { ToAddresses: ['bob@example.org'] },
        ConfigurationSetName: 'otp',
        Content: { Simple: { Subject: { Data: 'Reminder' }, Body: { Html: { Data: '<p>Call mum</p>' } } } },
      }),
    );
    expect(await inbox()).toMatchObject([
      {
        id: second.MessageId,
        to: ['bob@example.org'],
        subject: 'Reminder',
        html: '<p>Call mum</p>',
        configurationSetName: 'otp',
        at: '2030-01-01T08:01:00.000Z',
      },
      { id: first.MessageId, to: ['ann@example.org'], text: '123456', at: '2030-01-01T08:00:00.000Z' },
    ]);
  });

  it('maps refusals to the SDK exception classes', async () => {
    ses.verifyIdentity('aurora.test');
    await expect(
      v1.send(
        new SendEmailCommand({
          Source: 'someone@elsewhere.test',
          Destination: { ToAddresses: ['ann@example.org'] },
          Message: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } },
        }),
      ),
    ).rejects.toBeInstanceOf(MessageRejected);
    await expect(
      v2.send(
        new SendEmailV2Command({
          FromEmailAddress: 'no-reply@aurora.test',
          Destination: { ToAddresses: ['ann@example.org'] },
          ConfigurationSetName: 'missing',
          Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } },
        }),
      ),
    ).rejects.toBeInstanceOf(NotFoundException);
    expect(await inbox()).toEqual([]);
  });
});
