import { describe, expect, it } from 'vitest';
import { PolicyStore } from '../../../../../infra/local/iam/policies';

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

describe('PolicyStore evaluation of derived requests', () => {
  const lifecycle = 'arn:aws:iam::000000000000:role/LifecycleRole';
  const schedules = 'arn:aws:scheduler:us-east-1:000000000000:schedule/aurora-dev-reminders';
  const store = new PolicyStore();
  // The shape of the reminder lifecycle role in the synthesized template.
  store.attach('LifecycleRole', {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
        Resource: `${schedules}/*`,
      },
      {
        Effect: 'Allow',
        Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REMINDER#*'] } },
        Resource: table,
      },
      {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['USER#*'] } },
        Resource: `${table}/index/GSI1`,
      },
    ],
  });
  store.attach('arn:aws:iam::000000000000:role/LifecycleRole', {
    Statement: [{ Effect: 'Deny', Action: 'scheduler:*', Resource: `${schedules}/locked-*` }],
  });

  it('matches a wildcard resource pattern across the rest of the ARN, and only inside it', () => {
    expect(store.check(lifecycle, 'scheduler:CreateSchedule', `${schedules}/01J9-v1`)).toBe('allowed');
    expect(store.check(lifecycle, 'scheduler:DeleteSchedule', `${schedules}/01J9-v2`)).toBe('allowed');
    expect(
      store.check(
        lifecycle,
        'scheduler:CreateSchedule',
        'arn:aws:scheduler:us-east-1:000000000000:schedule/default/01J9-v1',
      ),
    ).toBe(
      `User: ${lifecycle} is not authorized to perform: scheduler:CreateSchedule on resource: ` +
        'arn:aws:scheduler:us-east-1:000000000000:schedule/default/01J9-v1 because no identity-based ' +
        'policy allows the scheduler:CreateSchedule action',
    );
    expect(store.check(lifecycle, 'scheduler:UpdateSchedule', `${schedules}/01J9-v1`)).toMatch(
      /no identity-based policy allows the scheduler:UpdateSchedule action/,
    );
  });

  it('lets an explicit deny from another policy of the role win over an allow', () => {
    expect(store.check(lifecycle, 'scheduler:CreateSchedule', `${schedules}/locked-1`)).toBe(
      `User: ${lifecycle} is not authorized to perform: scheduler:CreateSchedule on resource: ` +
        `${schedules}/locked-1 with an explicit deny in an identity-based policy`,
    );
  });

  it('treats dynamodb:LeadingKeys conditions as satisfied, and tells a table from its indexes', () => {
    expect(store.check(lifecycle, 'dynamodb:PutItem', table)).toBe('allowed');
    expect(store.check(lifecycle, 'dynamodb:Query', `${table}/index/GSI1`)).toBe('allowed');
    expect(store.check(lifecycle, 'dynamodb:Query', table)).not.toBe('allowed');
    expect(store.check(lifecycle, 'dynamodb:UpdateItem', table)).not.toBe('allowed');
  });

  it('honours NotAction and NotResource', () => {
    const scoped = new PolicyStore();
    scoped.attach('Scoped', {
      Statement: [
        { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' },
        { Effect: 'Deny', Action: 'dynamodb:*', NotResource: [table, `${table}/index/*`] },
      ],
    });
    const scopedRole = 'arn:aws:iam::000000000000:role/Scoped';
    expect(scoped.check(scopedRole, 'sqs:SendMessage', 'arn:aws:sqs:us-east-1:000000000000:q')).toBe(
      'allowed',
    );
    expect(scoped.check(scopedRole, 'iam:PassRole', lifecycle)).toMatch(/no identity-based policy allows/);
    expect(scoped.check(scopedRole, 'dynamodb:Query', `${table}/index/GSI1`)).toBe('allowed');
    expect(scoped.check(scopedRole, 'dynamodb:GetItem', `${table}-other`)).toMatch(/explicit deny/);
  });

  it('ignores a pattern the deployer left unresolved instead of failing', () => {
    const partial = new PolicyStore();
    partial.attach('Partial', {
      Statement: [
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: [{ 'Fn::ImportValue': 'x' }, '*'] },
      ],
    });
    expect(partial.check('arn:aws:iam::000000000000:role/Partial', 'sqs:SendMessage', 'arn:q')).toBe(
      'allowed',
    );
  });
});
