/** CDK context `admins`: the functions that check the admin role get the addresses, lower-cased. */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app';
import { readConfig } from '../../infra/config';

describe('admins by CDK context', () => {
  it('reach the auth, REST API and analytics functions as ADMIN_EMAILS', () => {
    const app = buildApp(
      new App({ context: { 'aws:cdk:bundling-stacks': [], admins: 'Boss@Example.com, chief@example.com' } }),
    );
    const withAdmins = app.node.children
      .filter((child): child is Stack => child instanceof Stack)
      .flatMap((stack) =>
        Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).flatMap((fn) => {
          const variables = fn.Properties.Environment?.Variables ?? {};
          return 'ADMIN_EMAILS' in variables ? [[fn.Properties.Description, variables.ADMIN_EMAILS]] : [];
        }),
      );
    expect(withAdmins).toHaveLength(3);
    for (const [, admins] of withAdmins) expect(admins).toBe('boss@example.com,chief@example.com');
  });

  it('refuses what is not an address', () => {
    expect(() => readConfig(new App({ context: { admins: 'boss@example.com,not an address' } }))).toThrow(
      /admins must be email addresses/,
    );
    expect(readConfig(new App()).adminEmails).toEqual([]);
  });
});
