/** What `ses:SendEmail` from the sender address needs: both identities (domain and address) and the configuration set. */
import type { Stack } from 'aws-cdk-lib';
import type * as ses from 'aws-cdk-lib/aws-ses';

export function sesSendingResources(
  stack: Stack,
  senderEmail: string,
  configurationSet: ses.ConfigurationSet,
): string[] {
  return [
    stack.formatArn({ service: 'ses', resource: 'identity', resourceName: senderEmail.split('@')[1] }),
    stack.formatArn({ service: 'ses', resource: 'identity', resourceName: senderEmail }),
    stack.formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: configurationSet.configurationSetName,
    }),
  ];
}
