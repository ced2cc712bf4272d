import { describe, expect, it } from 'vitest';
import { PolicyStore } from '../../../infra/local/iam/policies';

const role = 'arn:aws:iam::000000000000:role/OtpMachineRole';
const table = 'arn:aws:dynamodb:us-east-1:000000000000:table/aurora-dev';

describe('PolicyStore', () => {
  const store = new PolicyStore();
  store.attach('OtpMachineRole', {
    Statement: [
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Resource: [table, `${table}/index/*`],
      },
      { Effect: 'Allow', Action: 'ses:Send*', Resource: '*' },
      { Effect: 'Deny', Action: 'ses:SendRawEmail', Resource: '*' },
    ],
  });

  it('allows exactly the actions and resources a statement names, wildcards included', () => {
    expect(store.check(role, 'dynamodb:GetItem', table)).toBe('allowed');
    expect(store.check(role, 'DynamoDB:getitem', table)).toBe('allowed');
    expect(store.check(role, 'dynamodb:Query', `${table}/index/GSI1`)).toMatch(
      /no identity-based policy allows/,
    );
    expect(store.check(role, 'dynamodb:GetItem', `${table}-other`)).toMatch(/not authorized to perform/);
    expect(store.check(role, 'ses:SendEmail', 'arn:aws:ses:us-east-1:000000000000:identity/x')).toBe(
      'allowed',
    );
  });

  it('lets an explicit deny win, and knows nothing of roles it was never told about', () => {
    expect(store.check(role, 'ses:SendRawEmail', '*')).toMatch(/explicit deny/);
    expect(store.knows('arn:aws:iam::000000000000:role/Other')).toBe(false);
    expect(store.check('arn:aws:iam::000000000000:role/Other', 'dynamodb:GetItem', table)).not.toBe(
      'allowed',
    );
  });
});
