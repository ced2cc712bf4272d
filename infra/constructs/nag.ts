/** cdk-nag findings name ARNs as they render: a value, or `<AWS::Name>` while it is an unresolved token. */
import { Token } from 'aws-cdk-lib';

export const nagPart = (value: string, pseudoParameter: string): string =>
  Token.isUnresolved(value) ? `<AWS::${pseudoParameter}>` : value;
