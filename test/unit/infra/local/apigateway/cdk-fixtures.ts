/**
 * Templates as aws-cdk-lib synthesizes them, with intrinsics resolved the way the deployer does (Ref →
 * logical id as physical id, GetAtt Arn → a Lambda ARN named after the logical id), so that the tests read
 * exactly what a deploy would hand the local API Gateway.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { TemplateResource } from '../../../../../infra/local/apigateway/model';

export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';

export const functionArn = (logicalId: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${logicalId}`;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Region': REGION,
  'AWS::AccountId': ACCOUNT,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
};

type Resources = Record<string, { Type: string }>;

/** An intrinsic function, given its argument already resolved. */
type Intrinsic = (argument: unknown, resources: Resources) => unknown;

const unknownIntrinsic = (key: string): never => {
  throw new Error(`the test resolver does not know ${key}`);
};

/** An intrinsic that takes a list; with any other argument it is one the resolver does not know. */
const takingList = (
  key: string,
  intrinsic: (args: unknown[], resources: Resources) => unknown,
): [string, Intrinsic] => [
  key,
  (argument, resources) => (Array.isArray(argument) ? intrinsic(argument, resources) : unknownIntrinsic(key)),
];

function getAtt(args: unknown[], resources: Resources): string {
  const [logicalId, attribute] = args.map(String);
  if (attribute === 'Arn' && resources[logicalId ?? '']?.Type === 'AWS::Lambda::Function') {
    return functionArn(logicalId ?? '');
  }
  return `${logicalId}.${attribute}`;
}

/** Just the intrinsics CDK emits for API Gateway and Lambda resources. */
const INTRINSICS: ReadonlyMap<string, Intrinsic> = new Map<string, Intrinsic>([
  [
    'Ref',
    (argument) =>
      typeof argument === 'string' ? (PSEUDO_PARAMETERS[argument] ?? argument) : unknownIntrinsic('Ref'),
  ],
  takingList('Fn::GetAtt', getAtt),
  takingList('Fn::Join', ([separator, items]) => (Array.isArray(items) ? items : []).join(String(separator))),
  takingList('Fn::Split', ([separator, text]) => String(text).split(String(separator))),
  takingList('Fn::Select', ([index, items]) => (Array.isArray(items) ? items[Number(index)] : undefined)),
]);

/** The intrinsic a value is a call of: an object with one key, `Ref` or `Fn::…`. */
function intrinsicCall(value: Record<string, unknown>): { key: string; argument: unknown } | undefined {
  const entries = Object.entries(value);
  const [key, argument] = entries[0] ?? [];
  if (entries.length !== 1 || key === undefined) return undefined;
  return key.startsWith('Fn::') || key === 'Ref' ? { key, argument } : undefined;
}

function resolve(value: unknown, resources: Resources): unknown {
  if (Array.isArray(value)) return value.map((item) => resolve(item, resources));
  if (!isRecord(value)) return value;
  const call = intrinsicCall(value);
  if (call) {
    const argument = resolve(call.argument, resources);
    const intrinsic = INTRINSICS.get(call.key) ?? unknownIntrinsic(call.key);
    return intrinsic(argument, resources);
  }
  return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, resolve(item, resources)]));
}

function synthesize(build: (stack: Stack) => void): Record<string, TemplateResource> {
  const outdir = mkdtempSync(join(tmpdir(), 'apigateway-fixture-'));
  try {
    // CDK's built-in CloudFormation validation costs seconds per synth and is not what these tests are about.
    const app = new App({ outdir, builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Fixture', { env: { region: REGION, account: ACCOUNT } });
    build(stack);
    const template = Template.fromStack(stack).toJSON() as { Resources: Resources };
    return resolve(template.Resources, template.Resources) as Record<string, TemplateResource>;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function inlineFunction(scope: Construct, id: string): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
  });
}

/** Finds the logical id CDK gave a function by its construct id prefix. */
export function logicalIdOf(resources: Record<string, TemplateResource>, prefix: string): string {
  const id = Object.keys(resources).find(
    (logicalId) => logicalId.startsWith(prefix) && resources[logicalId]?.Type === 'AWS::Lambda::Function',
  );
  if (!id) throw new Error(`no function ${prefix} in the template`);
  return id;
}

/**
 * A REST API: /items GET, /items/{id} POST behind a TOKEN authorizer, /secure GET behind a REQUEST
 * authorizer, /iam GET with AWS_IAM, /files/{proxy+} ANY, /upload POST (binary), /limited GET throttled
 * (burst 2, 1 rps), /broken GET on a failing function, /slow GET with a 1 s integration timeout.
 */
export function restTemplate(): Record<string, TemplateResource> {
  return synthesize((stack) => {
    const echo = inlineFunction(stack, 'Echo');
    const auth = inlineFunction(stack, 'Auth');
    const fail = inlineFunction(stack, 'Fail');
    const api = new apigateway.RestApi(stack, 'Rest', {
      binaryMediaTypes: ['application/octet-stream'],
      deployOptions: {
        stageName: 'prod',
        variables: { flavour: 'vanilla' },
        methodOptions: { '/limited/GET': { throttlingBurstLimit: 2, throttlingRateLimit: 1 } },
      },
    });
    const tokenAuthorizer = new apigateway.TokenAuthorizer(stack, 'TokenAuth', { handler: auth });
    const requestAuthorizer = new apigateway.RequestAuthorizer(stack, 'RequestAuth', {
      handler: auth,
      identitySources: [
        apigateway.IdentitySource.header('X-Key'),
        apigateway.IdentitySource.queryString('k'),
      ],
      resultsCacheTtl: Duration.seconds(0),
    });
    const echoIntegration = new apigateway.LambdaIntegration(echo);
    const items = api.root.addResource('items');
    items.addMethod('GET', echoIntegration);
    items.addResource('{id}').addMethod('POST', echoIntegration, { authorizer: tokenAuthorizer });
    api.root.addResource('secure').addMethod('GET', echoIntegration, { authorizer: requestAuthorizer });
    api.root
      .addResource('iam')
      .addMethod('GET', echoIntegration, { authorizationType: apigateway.AuthorizationType.IAM });
    api.root.addResource('files').addProxy({ defaultIntegration: echoIntegration });
    api.root.addResource('upload').addMethod('POST', echoIntegration);
    api.root.addResource('limited').addMethod('GET', echoIntegration);
    api.root.addResource('broken').addMethod('GET', new apigateway.LambdaIntegration(fail));
    api.root
      .addResource('slow')
      .addMethod('GET', new apigateway.LambdaIntegration(echo, { timeout: Duration.seconds(1) }));
  });
}

/**
 * An HTTP API with CORS: GET /hello/{name} (2.0), POST /v1 (1.0, simple-response authorizer), ANY
 * /files/{proxy+}, POST /upload, GET /broken, GET /limited (burst 2, 1 rps via RouteSettings).
 */
export function httpTemplate(): Record<string, TemplateResource> {
  return synthesize((stack) => {
    const echo = inlineFunction(stack, 'Echo');
    const auth = inlineFunction(stack, 'Auth');
    const fail = inlineFunction(stack, 'Fail');
    const api = new apigatewayv2.HttpApi(stack, 'Http', {
      corsPreflight: {
        allowOrigins: ['https://app.example.com'],
        allowMethods: [apigatewayv2.CorsHttpMethod.GET, apigatewayv2.CorsHttpMethod.POST],
        allowHeaders: ['content-type', 'authorization'],
        maxAge: Duration.minutes(10),
      },
    });
    const authorizer = new HttpLambdaAuthorizer('SimpleAuth', auth, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: Duration.seconds(0),
    });
    const route = (
      path: string,
      method: apigatewayv2.HttpMethod,
      integration: HttpLambdaIntegration,
      extra = {},
    ) => api.addRoutes({ path, methods: [method], integration, ...extra });
    const echoV2 = new HttpLambdaIntegration('EchoV2', echo);
    route('/hello/{name}', apigatewayv2.HttpMethod.GET, echoV2);
    route(
      '/v1',
      apigatewayv2.HttpMethod.POST,
      new HttpLambdaIntegration('EchoV1', echo, {
        payloadFormatVersion: apigatewayv2.PayloadFormatVersion.VERSION_1_0,
      }),
      { authorizer },
    );
    route('/files/{proxy+}', apigatewayv2.HttpMethod.ANY, echoV2);
    route('/upload', apigatewayv2.HttpMethod.POST, echoV2);
    route('/limited', apigatewayv2.HttpMethod.GET, echoV2);
    route('/broken', apigatewayv2.HttpMethod.GET, new HttpLambdaIntegration('Fail', fail));
    const stage = api.defaultStage?.node.defaultChild as apigatewayv2.CfnStage;
    stage.addPropertyOverride('RouteSettings', {
      'GET /limited': { ThrottlingBurstLimit: 2, ThrottlingRateLimit: 1 },
    });
  });
}
