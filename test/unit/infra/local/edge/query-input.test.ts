import { describe, expect, it } from 'vitest';
import { decodeQueryInput } from '../../../../../infra/local/edge/query-input';

describe('the query-protocol decoder', () => {
  it('decodes member lists and nested structures into the SDK shape (SES v1 SendEmail)', () => {
    expect(
      decodeQueryInput({
        Action: 'SendEmail',
        Version: '2010-12-01',
        Source: 'no-reply@example.com',
        'Destination.ToAddresses.member.2': 'b@example.com',
        'Destination.ToAddresses.member.1': 'a@example.com',
        'Message.Subject.Data': 'Hi',
        'Message.Body.Text.Data': 'Hello',
        'Tags.member.1.Name': 'kind',
        'Tags.member.1.Value': 'otp',
      }),
    ).toEqual({
      Source: 'no-reply@example.com',
      Destination: { ToAddresses: ['a@example.com', 'b@example.com'] },
      Message: { Subject: { Data: 'Hi' }, Body: { Text: { Data: 'Hello' } } },
      Tags: [{ Name: 'kind', Value: 'otp' }],
    });
  });

  it('decodes entry maps keyed by key/value or by Name/Value (SNS)', () => {
    expect(
      decodeQueryInput({
        Name: 'ops',
        'Attributes.entry.1.key': 'DisplayName',
        'Attributes.entry.1.value': 'Ops',
        'MessageAttributes.entry.1.Name': 'kind',
        'MessageAttributes.entry.1.Value.DataType': 'String',
        'MessageAttributes.entry.1.Value.StringValue': 'k',
      }),
    ).toEqual({
      Name: 'ops',
      Attributes: { DisplayName: 'Ops' },
      MessageAttributes: { kind: { DataType: 'String', StringValue: 'k' } },
    });
  });

  it('leaves out parameters that would name an object prototype', () => {
    const decoded = decodeQueryInput({ '__proto__.polluted': 'yes', 'Tags.__proto__.x': 'y', Name: 'n' });
    expect(decoded).toEqual({ Name: 'n' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
