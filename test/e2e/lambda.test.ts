import { join, resolve } from 'node:path';
import {
  DeleteFunctionConcurrencyCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  InvalidRequestContentException,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  PutFunctionConcurrencyCommand,
  ResourceNotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Edge, startEdge } from '../../infra/local/edge/server';
import { LambdaRuntime } from '../../infra/local/lambda/runtime';
import type { LocalFunctionConfig } from '../../infra/local/lambda/types';
import { until } from '../support/polling';
import { ACCOUNT, FunctionFixtures } from '../unit/infra/local/lambda/fixtures';

const fixtures = new FunctionFixtures();
let edge: Edge;
let runtime: LambdaRuntime;
let client: LambdaClient;

/** A TypeScript handler that calls the Lambda API itself, bundled the way CDK's NodejsFunction bundles (ESM). */
const SELF_DESCRIBING = `
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
const client = new LambdaClient({});
export const handler = async (): Promise<unknown> => {
  const own = await client.send(
    new GetFunctionConfigurationCommand({ FunctionName: process.env.AWS_LAMBDA_FUNCTION_NAME }),
  );
  return { timeout: own.Timeout, memory: own.MemorySize };
};
`;

function bundleSelfDescribing(): LocalFunctionConfig {
  const config = fixtures.add(
    'self-describing',
    { 'src/handler.ts': SELF_DESCRIBING },
    { timeoutSeconds: 7, memorySizeMb: 256 },
  );
  buildSync({
    entryPoints: [join(config.codeDirectory, 'src/handler.ts')],
    outfile: join(config.codeDirectory, 'index.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    nodePaths: [resolve('node_modules')],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: 'silent',
  });
  return config;
}

const decode = (bytes: Uint8Array | undefined): unknown =>
  JSON.parse(Buffer.from(bytes ?? []).toString('utf8'));
const encode = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value));

beforeAll(async () => {
  edge = await startEdge({ port: 0, services: [], account: ACCOUNT });
  runtime = new LambdaRuntime({ account: ACCOUNT, edgeUrl: edge.url });
  edge.register(runtime.edgeService);
  runtime.register(
    fixtures.add(
      'greeter',
      {
        'index.mjs': `export const handler = async (event) => {
          console.log('greeting', event.name);
          if (!event.name) throw new Error('name is required');
          return { greeting: 'Hello ' + event.name };
        };`,
      },
      { environment: { STAGE: 'local' }, description: 'says hello' },
    ),
  );
  runtime.register(
    fixtures.add(
      'slow',
      {
        'index.mjs':
          'export const handler = () => new Promise((resolve) => setTimeout(() => resolve("done"), 300));',
      },
      { reservedConcurrency: 1 },
    ),
  );
  runtime.register(bundleSelfDescribing());
  client = new LambdaClient({
    endpoint: edge.url,
    region: ACCOUNT.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // The SDK retries throttling by default; these tests want to see the throttle itself.
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  runtime.shutdown();
  await edge.close();
  fixtures.remove();
});

describe('Lambda API through the edge', () => {
  it('invokes synchronously and returns the payload, version and log tail', async () => {
    const response = await client.send(
      new InvokeCommand({ FunctionName: 'greeter', Payload: encode({ name: 'Ada' }), LogType: 'Tail' }),
    );
    expect(response.StatusCode).toBe(200);
    expect(response.FunctionError).toBeUndefined();
    expect(response.ExecutedVersion).toBe('$LATEST');
    expect(decode(response.Payload)).toEqual({ greeting: 'Hello Ada' });
    const tail = Buffer.from(response.LogResult ?? '', 'base64').toString('utf8');
    expect(tail).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
    expect(tail).toContain('\tINFO\tgreeting Ada\n');
    expect(tail).toMatch(/REPORT RequestId: .*\tDuration: /);
  });

  it('reports a function error in the payload with X-Amz-Function-Error', async () => {
    const response = await client.send(new InvokeCommand({ FunctionName: 'greeter', Payload: encode({}) }));
    expect(response.StatusCode).toBe(200);
    expect(response.FunctionError).toBe('Unhandled');
    expect(decode(response.Payload)).toMatchObject({ errorType: 'Error', errorMessage: 'name is required' });
  });

  it('answers Event with 202 and DryRun with 204', async () => {
    const event = await client.send(
      new InvokeCommand({
        FunctionName: 'greeter',
        InvocationType: 'Event',
        Payload: encode({ name: 'Bo' }),
      }),
    );
    expect(event.StatusCode).toBe(202);
    const dryRun = await client.send(
      new InvokeCommand({ FunctionName: 'greeter', InvocationType: 'DryRun' }),
    );
    expect(dryRun.StatusCode).toBe(204);
  });

  it('raises the modelled exceptions for unknown functions, bad JSON and throttling', async () => {
    const missing = await client
      .send(new InvokeCommand({ FunctionName: 'nope' }))
      .catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect((missing as ResourceNotFoundException).message).toBe(
      'Function not found: arn:aws:lambda:eu-west-1:000000000000:function:nope',
    );
    expect((missing as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);

    const invalid = await client
      .send(new InvokeCommand({ FunctionName: 'greeter', Payload: Buffer.from('{oops') }))
      .catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(InvalidRequestContentException);

    const startsBefore = runtime.logs('slow', { limit: 1_000 }).length;
    const slow = client.send(new InvokeCommand({ FunctionName: 'slow' }));
    // The second call must arrive while the first holds the only slot.
    await until(() => runtime.logs('slow', { limit: 1_000 }).length > startsBefore);
    const throttled = await client
      .send(new InvokeCommand({ FunctionName: 'slow' }))
      .catch((error: unknown) => error);
    expect(throttled).toBeInstanceOf(TooManyRequestsException);
    expect((throttled as TooManyRequestsException).Reason).toBe(
      'ReservedFunctionConcurrentInvocationLimitExceeded',
    );
    expect(decode((await slow).Payload)).toBe('done');
  });

  it('lets function code call the local cloud through AWS_ENDPOINT_URL', async () => {
    const response = await client.send(new InvokeCommand({ FunctionName: 'self-describing' }));
    expect(response.FunctionError).toBeUndefined();
    expect(decode(response.Payload)).toEqual({ timeout: 7, memory: 256 });
  });

  it('describes functions with GetFunction, GetFunctionConfiguration and paginated ListFunctions', async () => {
    const configuration = await client.send(new GetFunctionConfigurationCommand({ FunctionName: 'greeter' }));
    expect(configuration).toMatchObject({
      FunctionName: 'greeter',
      FunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:greeter',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Description: 'says hello',
      Timeout: 3,
      MemorySize: 128,
      Version: '$LATEST',
      Environment: { Variables: { STAGE: 'local' } },
      State: 'Active',
      PackageType: 'Zip',
      Architectures: ['x86_64'],
    });
    expect(configuration.CodeSize).toBeGreaterThan(0);
    expect(configuration.LastModified).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);

    const full = await client.send(new GetFunctionCommand({ FunctionName: 'slow' }));
    expect(full.Configuration?.FunctionName).toBe('slow');
    expect(full.Concurrency?.ReservedConcurrentExecutions).toBe(1);

    const firstPage = await client.send(new ListFunctionsCommand({ MaxItems: 2 }));
    expect(firstPage.Functions?.map((fn) => fn.FunctionName)).toEqual(['greeter', 'self-describing']);
    const secondPage = await client.send(
      new ListFunctionsCommand({ MaxItems: 2, Marker: firstPage.NextMarker }),
    );
    expect(secondPage.Functions?.map((fn) => fn.FunctionName)).toEqual(['slow']);
    expect(secondPage.NextMarker).toBeUndefined();

    await expect(client.send(new GetFunctionCommand({ FunctionName: 'nope' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('reads and changes reserved concurrency', async () => {
    await client.send(
      new PutFunctionConcurrencyCommand({ FunctionName: 'greeter', ReservedConcurrentExecutions: 0 }),
    );
    expect(
      (await client.send(new GetFunctionConcurrencyCommand({ FunctionName: 'greeter' })))
        .ReservedConcurrentExecutions,
    ).toBe(0);
    await expect(client.send(new InvokeCommand({ FunctionName: 'greeter' }))).rejects.toBeInstanceOf(
      TooManyRequestsException,
    );
    await client.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'greeter' }));
    const response = await client.send(
      new InvokeCommand({ FunctionName: 'greeter', Payload: encode({ name: 'C' }) }),
    );
    expect(decode(response.Payload)).toEqual({ greeting: 'Hello C' });
  });
});
