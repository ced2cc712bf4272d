/**
 * One way to grant a role what it calls: named actions on named resources and, for DynamoDB, the table
 * partitions it may touch (`dynamodb:LeadingKeys`, every key of a batch or transaction included).
 */
import * as iam from 'aws-cdk-lib/aws-iam';

export function allow(role: iam.IRole, actions: string[], resources: string[], leadingKeys?: string[]): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions,
      resources,
      ...(leadingKeys
        ? { conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': leadingKeys } } }
        : {}),
    }),
  );
}
