import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigurationSetDoesNotExistException,
  MessageRejected,
  SESClient,
  SendEmailCommand,
  SendRawEmailCommand,
  SendTemplatedEmailCommand,
} from '@aws-sdk/client-ses';
import {
  BadRequestException,
  CreateEmailTemplateCommand,
  MessageRejected as MessageRejectedV2,
  NotFoundException,
  SESv2Client,
  SendEmailCommand as SendEmailV2Command,
} from '@aws-sdk/client-sesv2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Clock } from '../../../../../infra/local/clock';
import type { SentMail } from '../../../../../infra/local/ses/mailbox';
import { SesService } from '../../../../../infra/local/ses/service';
import type { EventEntry } from '../../../../../infra/local/shared/ports';
import { type ServedService, serveHttpService } from './serve-http-service';

const START = Date.parse('2030-01-02T03:04:05.000Z');
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

let stateDir: string;
let clock: Clock;
let ses: SesService;
let served: ServedService;
let v1: SESClient;
let v2: SESv2Client;
/** What the service published on EventBridge. */
let published: EventEntry[];

async function start(): Promise<void> {
  ses = new SesService({
    clock,
    stateDir,
    account: '000000000000',
    publishEvents: async (entries) => {
      published.push(...entries);
    },
  });
  served = await serveHttpService(ses);
  v1 = new SESClient({ endpoint: served.url, region: 'eu-west-1', credentials });
  v2 = new SESv2Client({ endpoint: served.url, region: 'eu-west-1', credentials });
}

async function inbox(query = ''): Promise<SentMail[]> {
  const response = await fetch(`${served.url}/_aurora/ses/messages${query}`);
  expect(response.status).toBe(200);
  return (await response.json()) as SentMail[];
}

const simpleV2 = (from: string, extra: Record<string, unknown> = {}) =>
  new SendEmailV2Command({
    FromEmailAddress: from,
    Destination: { ToAddresses: ['someone@example.org'] },
    Content: { Simple: { Subject: { Data: 'Hi' }, Body: { Text: { Data: 'Hello' } } } },
    ...extra,
  });

beforeEach(async () => {
  published = [];
  stateDir = mkdtempSync(join(tmpdir(), 'aurora-ses-'));
  clock = new Clock('manual', START);
  await start();
});

afterEach(async () => {
  v1.destroy();
  v2.destroy();
  await served.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('sending', () => {
  it('records a v1 SendEmail with every recipient, stamped with the shared clock', async () => {
    clock.advanceBy(90_000);
    const { MessageId } = await v1.send(
      new SendEmailCommand({
        Source: 'Aurora <no-reply@aurora.test>',
        Destination: {
          ToAddresses: ['ann@example.org', 'bob@example.org'],
          CcAddresses: ['cat@example.org'],
          BccAddresses: ['dan@example.org'],
        },
        ReplyToAddresses: ['help@aurora.test'],
        Message: {
          Subject: { Data: 'Your code' },
          Body: { Text: { Data: 'Code: 123456' }, Html: { Data: '<b>123456</b>' } },
        },
        Tags: [{ Name: 'kind', Value: 'otp' }],
      }),
    );
    expect(MessageId).toMatch(/^0100[0-9a-f]{12}-[0-9a-f-]{36}-000000$/);
    const [mail] = await inbox();
    expect(mail).toMatchObject({
      id: MessageId,
      from: 'Aurora <no-reply@aurora.test>',
      to: ['ann@example.org', 'bob@example.org'],
      cc: ['cat@example.org'],
      bcc: ['dan@example.org'],
      replyTo: ['help@aurora.test'],
      subject: 'Your code',
      text: 'Code: 123456',
      html: '<b>123456</b>',
      at: '2030-01-02T03:05:35.000Z',
      tags: { kind: 'otp' },
      via: 'ses:SendEmail',
    });
  });

  it('lists v2 mail newest first and filters by recipient', async () => {
    await v2.send(simpleV2('first@aurora.test'));
    clock.advanceBy(1000);
    await v2.send(
      simpleV2('second@aurora.test', { Destination: { ToAddresses: ['Zoe <zoe@example.org>'] } }),
    );
    expect((await inbox()).map((mail) => mail.from)).toEqual(['second@aurora.test', 'first@aurora.test']);
    expect((await inbox('?to=ZOE@example.org')).map((mail) => mail.from)).toEqual(['second@aurora.test']);
  });

  it('parses v2 Raw content and v1 SendRawEmail, treating envelope-only recipients as Bcc', async () => {
    const mime = [
      'From: "Aurora" <no-reply@aurora.test>',
      'To: ann@example.org',
      'Subject: =?UTF-8?B?UmFwcG9ydCDinJM=?=',
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'plain body',
      '--b1',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>html body</p>',
      '--b1--',
      '',
    ].join('\r\n');
    await v2.send(new SendEmailV2Command({ Content: { Raw: { Data: Buffer.from(mime) } } }));
    await v1.send(
      new SendRawEmailCommand({
        RawMessage: { Data: Buffer.from(mime) },
        Destinations: ['ann@example.org', 'hidden@example.org'],
      }),
    );
    const [viaV1, viaV2] = await inbox();
    expect(viaV2).toMatchObject({
      from: '"Aurora" <no-reply@aurora.test>',
      to: ['ann@example.org'],
      bcc: [],
      subject: 'Rapport ✓',
      text: 'plain body',
      html: '<p>html body</p>',
      via: 'sesv2:SendEmail',
    });
    expect(viaV1).toMatchObject({
      to: ['ann@example.org'],
      bcc: ['hidden@example.org'],
      via: 'ses:SendRawEmail',
    });
  });

  it('renders stored and inline templates (v2) and stored templates (v1)', async () => {
    await v2.send(
      new CreateEmailTemplateCommand({
        TemplateName: 'otp',
        TemplateContent: {
          Subject: 'Code for {{name}}',
          Text: 'Your code is {{code}}',
          Html: '<b>{{code}}</b>',
        },
      }),
    );
    await v2.send(
      new SendEmailV2Command({
        FromEmailAddress: 'no-reply@aurora.test',
        Destination: { ToAddresses: ['ann@example.org'] },
        Content: { Template: { TemplateName: 'otp', TemplateData: '{"name":"Ann","code":"424242"}' } },
      }),
    );
    await v2.send(
      new SendEmailV2Command({
        FromEmailAddress: 'no-reply@aurora.test',
        Destination: { ToAddresses: ['ann@example.org'] },
        Content: {
          Template: {
            TemplateContent: { Subject: 'Hi {{name}}', Text: 'inline' },
            TemplateData: '{"name":"Ann"}',
          },
        },
      }),
    );
    await v1.send(
      new SendTemplatedEmailCommand({
        Source: 'no-reply@aurora.test',
        Destination: { ToAddresses: ['bob@example.org'] },
        Template: 'otp',
        TemplateData: '{"name":"Bob","code":"1 & 2"}',
      }),
    );
    const [v1Templated, inline, stored] = await inbox();
    expect(stored).toMatchObject({
      subject: 'Code for Ann',
      text: 'Your code is 424242',
      html: '<b>424242</b>',
    });
    expect(inline).toMatchObject({ subject: 'Hi Ann', text: 'inline' });
    expect(inline?.html).toBeUndefined();
    expect(v1Templated).toMatchObject({ subject: 'Code for Bob', text: 'Your code is 1 & 2' });
  });

  it('finds a stored template by ARN only in its own account', async () => {
    ses.createTemplate('welcome', { Subject: 'Welcome {{name}}', Text: 'Hi' });
    const byArn = (account: string) =>
      new SendEmailV2Command({
        FromEmailAddress: 'no-reply@aurora.test',
        Destination: { ToAddresses: ['ann@example.org'] },
        Content: {
          Template: {
            TemplateArn: `arn:aws:ses:eu-west-1:${account}:template/welcome`,
            TemplateData: '{"name":"Ann"}',
          },
        },
      });
    await v2.send(byArn('000000000000'));
    await expect(v2.send(byArn('111111111111'))).rejects.toBeInstanceOf(NotFoundException);
    expect((await inbox()).map((mail) => mail.subject)).toEqual(['Welcome Ann']);
  });

  it('refuses an unknown template and malformed template data', async () => {
    await expect(
      v2.send(
        new SendEmailV2Command({
          FromEmailAddress: 'no-reply@aurora.test',
          Destination: { ToAddresses: ['ann@example.org'] },
          Content: { Template: { TemplateName: 'missing' } },
        }),
      ),
    ).rejects.toBeInstanceOf(NotFoundException);
    await expect(
      v2.send(
        new SendEmailV2Command({
          FromEmailAddress: 'no-reply@aurora.test',
          Destination: { ToAddresses: ['ann@example.org'] },
          Content: { Template: { TemplateContent: { Subject: 's', Text: 't' }, TemplateData: '[1]' } },
        }),
      ),
    ).rejects.toBeInstanceOf(BadRequestException);
    expect(await inbox()).toEqual([]);
  });

  it('rejects an address without a domain the way SES does', async () => {
    await expect(
      v1.send(
        new SendEmailCommand({
          Source: 'no-reply@aurora.test',
          Destination: { ToAddresses: ['not-an-address'] },
          Message: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue', message: "Missing final '@domain'" });
  });
});

describe('identities', () => {
  it('sends from any address while no identity is verified', async () => {
    await expect(v2.send(simpleV2('anyone@anywhere.test'))).resolves.toHaveProperty('MessageId');
  });

  it('refuses unverified senders once an identity exists, naming them and the region', async () => {
    ses.verifyIdentity('aurora.test');
    ses.verifyIdentity('ops@partner.test');
    await v2.send(simpleV2('no-reply@aurora.test'));
    await v2.send(simpleV2('alerts@mail.aurora.test'));
    await v2.send(simpleV2('OPS@partner.test'));

    const v2Failure = v2.send(simpleV2('other@partner.test'));
    await expect(v2Failure).rejects.toBeInstanceOf(MessageRejectedV2);
    await expect(v2Failure).rejects.toThrow(
      'Email address is not verified. The following identities failed the check in region EU-WEST-1: other@partner.test',
    );
    const v1Failure = v1.send(
      new SendEmailCommand({
        Source: 'Eve <eve@evil.test>',
        Destination: { ToAddresses: ['ann@example.org'] },
        Message: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } },
      }),
    );
    await expect(v1Failure).rejects.toBeInstanceOf(MessageRejected);
    await expect(v1Failure).rejects.toThrow('in region EU-WEST-1: Eve <eve@evil.test>, eve@evil.test');
    expect(await inbox()).toHaveLength(3);
  });
});

describe('configuration sets', () => {
  it("publishes the mailbox simulator's bounce as Email Bounced to the set's EventBridge destination", async () => {
    ses.createConfigurationSet('tracked');
    ses.verifyIdentity('aurora.test');
    ses.addEventDestination('tracked', {
      name: 'bounces',
      eventTypes: ['bounce'],
      eventBusArn: 'arn:aws:events:eu-west-1:000000000000:event-bus/default',
    });
    const sent = await v2.send(
      simpleV2('no-reply@aurora.test', {
        ConfigurationSetName: 'tracked',
        Destination: { ToAddresses: ['bounce+otp@simulator.amazonses.com', 'ann@example.org'] },
      }),
    );
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      EventBusName: 'arn:aws:events:eu-west-1:000000000000:event-bus/default',
      Source: 'aws.ses',
      DetailType: 'Email Bounced',
    });
    expect(JSON.parse(published[0]?.Detail ?? '{}')).toMatchObject({
      eventType: 'Bounce',
      bounce: {
        bounceType: 'Permanent',
        bouncedRecipients: [{ emailAddress: 'bounce+otp@simulator.amazonses.com' }],
      },
      mail: { messageId: sent.MessageId, source: 'no-reply@aurora.test' },
    });

    // Without the set, or to an address that does not bounce, nothing is published.
    await v2.send(
      simpleV2('no-reply@aurora.test', { Destination: { ToAddresses: ['bounce@simulator.amazonses.com'] } }),
    );
    await v2.send(simpleV2('no-reply@aurora.test', { ConfigurationSetName: 'tracked' }));
    expect(published).toHaveLength(1);
  });

  it('records a known configuration set and refuses an unknown one in each API', async () => {
    ses.createConfigurationSet('tracked');
    await v2.send(simpleV2('no-reply@aurora.test', { ConfigurationSetName: 'tracked' }));
    expect((await inbox())[0]?.configurationSetName).toBe('tracked');

    const v1Failure = v1.send(
      new SendEmailCommand({
        Source: 'no-reply@aurora.test',
        Destination: { ToAddresses: ['ann@example.org'] },
        Message: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } },
        ConfigurationSetName: 'nope',
      }),
    );
    await expect(v1Failure).rejects.toBeInstanceOf(ConfigurationSetDoesNotExistException);
    await expect(v1Failure).rejects.toThrow('Configuration set <nope> does not exist.');
    await expect(
      v2.send(simpleV2('no-reply@aurora.test', { ConfigurationSetName: 'nope' })),
    ).rejects.toBeInstanceOf(NotFoundException);
    expect(await inbox()).toHaveLength(1);
  });
});

describe('inbox', () => {
  it('keeps mail, identities and templates across a restart, and clears on DELETE', async () => {
    ses.verifyIdentity('aurora.test');
    await v2.send(simpleV2('no-reply@aurora.test'));
    await v2.send(
      new CreateEmailTemplateCommand({ TemplateName: 't', TemplateContent: { Subject: 's', Text: 'x' } }),
    );
    v1.destroy();
    v2.destroy();
    await served.close();
    await start();

    expect(await inbox()).toHaveLength(1);
    await expect(v2.send(simpleV2('x@elsewhere.test'))).rejects.toBeInstanceOf(MessageRejectedV2);
    expect(ses.template('t')).toEqual({ Subject: 's', Text: 'x' });

    const cleared = await fetch(`${served.url}/_aurora/ses/messages`, { method: 'DELETE' });
    expect(cleared.status).toBe(204);
    expect(await inbox()).toEqual([]);
    await served.close();
    await start();
    expect(await inbox()).toEqual([]);
  });

  it('serves one message as JSON by id', async () => {
    const { MessageId } = await v2.send(simpleV2('no-reply@aurora.test'));
    const response = await fetch(`${served.url}/_aurora/ses/messages/${MessageId}`);
    expect(await response.json()).toMatchObject({ id: MessageId, subject: 'Hi' });
    expect((await fetch(`${served.url}/_aurora/ses/messages/unknown`)).status).toBe(404);
  });

  it('escapes mail content in the page and sandboxes HTML bodies', async () => {
    const { MessageId } = await v2.send(
      new SendEmailV2Command({
        FromEmailAddress: 'no-reply@aurora.test',
        Destination: { ToAddresses: ['ann@example.org'] },
        Content: {
          Simple: {
            Subject: { Data: '<script>alert(1)</script>' },
            Body: {
              Html: { Data: '<img src=x onerror="alert(2)">"quoted"' },
              Text: { Data: '</pre><b>bold</b>' },
            },
          },
        },
      }),
    );
    const response = await fetch(`${served.url}/_aurora/ses?message=${MessageId}`);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await response.text();
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<b>bold');
    expect(page).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(page).toMatch(/<iframe sandbox [^>]*srcdoc="&#60;img src=x onerror=&#34;alert\(2\)&#34;&#62;/);
  });
});
