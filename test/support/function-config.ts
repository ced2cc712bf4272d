/** The configuration of a small test function (its handler `index.handler`), as the deployer registers one. */
import type { LocalFunctionConfig } from '../../infra/local/lambda/types';

export interface FunctionPlace {
  readonly region: string;
  readonly accountId: string;
}

export function testFunctionConfig(
  functionName: string,
  codeDirectory: string,
  { region, accountId }: FunctionPlace = { region: 'eu-west-1', accountId: '000000000000' },
  overrides: Partial<LocalFunctionConfig> = {},
): LocalFunctionConfig {
  return {
    functionName,
    functionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
    handler: 'index.handler',
    codeDirectory,
    runtime: 'nodejs20.x',
    environment: {},
    timeoutSeconds: 10,
    memorySizeMb: 128,
    roleArn: `arn:aws:iam::${accountId}:role/${functionName}`,
    architectures: ['x86_64'],
    ...overrides,
  };
}
