/**
 * The web stack on its own (the whole app's composition and cdk-nag run in app.test.ts): a private bucket
 * that only the distribution reads, origin access control, the security headers, the app-route function,
 * and config.json naming the API. Bundling is skipped, so no Vite build runs here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../infra/config';
import {
  APP_ROUTE_FUNCTION,
  contentSecurityPolicy,
  HSTS_MAX_AGE_SECONDS,
  isAppRoute,
  PERMISSIONS_POLICY,
} from '../../infra/constructs/web-app';
import { WebStack } from '../../infra/stacks/web-stack';

const API_URL = 'https://abc123defg.execute-api.eu-west-1.amazonaws.com';

interface Synthesized {
  readonly app: App;
  readonly template: Template;
  readonly outdir: string;
}

function synthesize(context: Record<string, string> = {}): Synthesized {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new WebStack(app, 'Aurora-test-Web', { config: readConfig(app), apiUrl: API_URL });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  // Synthesis fails if cdk-nag reports any finding that is not acknowledged.
  const outdir = app.synth().directory;
  return { app, template: Template.fromStack(stack), outdir };
}

let plain: Synthesized;
let withDomain: Synthesized;

beforeAll(() => {
  plain = synthesize();
  withDomain = synthesize({
    webDomainName: 'app.aurora-time.example',
    webCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
  });
});

const only = (template: Template, type: string): { Properties: Record<string, unknown> } => {
  const resources = Object.values(template.findResources(type));
  expect(resources, type).toHaveLength(1);
  return resources[0] as { Properties: Record<string, unknown> };
};

describe('the site bucket', () => {
  it('is private, encrypted, TLS-only, and no website', () => {
    const bucket = only(plain.template, 'AWS::S3::Bucket').Properties;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucket.WebsiteConfiguration).toBeUndefined();
    expect(bucket.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
  });

  it('is read by CloudFront only, from this distribution only, and refuses plain HTTP', () => {
    const statements = (
      only(plain.template, 'AWS::S3::BucketPolicy').Properties.PolicyDocument as {
        Statement: Array<{ Effect: string; Principal: unknown; Action: unknown; Condition?: unknown }>;
      }
    ).Statement;
    const allows = statements.filter((statement) => statement.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: ['s3:GetObject', 's3:ListBucket'],
    });
    const condition = allows[0]?.Condition as { StringEquals?: Record<string, { 'Fn::Join': unknown[] }> };
    const sourceArn = condition.StringEquals?.['AWS:SourceArn']?.['Fn::Join'];
    expect(sourceArn?.[1]).toEqual(
      expect.arrayContaining([':distribution/', { Ref: distributionId(plain.template) }]),
    );
    expect(Object.keys(allows[0]?.Condition as object)).toEqual(['StringEquals']);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });
});

function distributionId(template: Template): string {
  const ids = Object.keys(template.findResources('AWS::CloudFront::Distribution'));
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

describe('the distribution', () => {
  it('reaches the bucket through origin access control (SigV4), not an origin access identity', () => {
    expect(only(plain.template, 'AWS::CloudFront::OriginAccessControl').Properties).toEqual({
      OriginAccessControlConfig: expect.objectContaining({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      }),
    });
    plain.template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
    const config = only(plain.template, 'AWS::CloudFront::Distribution').Properties.DistributionConfig as {
      Origins: Array<{ OriginAccessControlId?: unknown; S3OriginConfig?: { OriginAccessIdentity?: string } }>;
    };
    expect(config.Origins).toHaveLength(1);
    const [control] = Object.keys(plain.template.findResources('AWS::CloudFront::OriginAccessControl'));
    expect(config.Origins[0]?.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [control, 'Id'] });
    expect(config.Origins[0]?.S3OriginConfig?.OriginAccessIdentity).toBe('');
  });

  it('redirects HTTP to HTTPS, answers / with index.html and app routes with the shell', () => {
    const config = only(plain.template, 'AWS::CloudFront::Distribution').Properties.DistributionConfig;
    expect(config).toMatchObject({
      DefaultRootObject: 'index.html',
      DefaultCacheBehavior: {
        ViewerProtocolPolicy: 'redirect-to-https',
        AllowedMethods: ['GET', 'HEAD'],
        FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: expect.anything() }],
        ResponseHeadersPolicyId: expect.anything(),
      },
    });
    expect(only(plain.template, 'AWS::CloudFront::Function').Properties).toMatchObject({
      AutoPublish: true,
      FunctionCode: APP_ROUTE_FUNCTION,
      FunctionConfig: { Runtime: 'cloudfront-js-2.0' },
    });
  });

  it('routes paths in its CloudFront Function exactly as the local web server does', () => {
    const handler = new Function(`${APP_ROUTE_FUNCTION}; return handler;`)() as (event: {
      request: { uri: string };
    }) => { uri: string };
    for (const uri of ['/', '/week', '/events/42', '/assets/index-abc.js', '/config.json', '/a.b/c', '/x.']) {
      const routed = handler({ request: { uri } }).uri;
      expect(routed, uri).toBe(isAppRoute(uri) ? '/index.html' : uri);
    }
    expect(isAppRoute('/week')).toBe(true);
    expect(isAppRoute('/assets/index-abc.js')).toBe(false);
  });

  it('has TLS 1.2 (2021) as its minimum with an own domain and certificate, and no alias without', () => {
    const config = only(withDomain.template, 'AWS::CloudFront::Distribution').Properties.DistributionConfig;
    expect(config).toMatchObject({
      Aliases: ['app.aurora-time.example'],
      ViewerCertificate: {
        AcmCertificateArn: expect.stringContaining(':certificate/'),
        MinimumProtocolVersion: 'TLSv1.2_2021',
        SslSupportMethod: 'sni-only',
      },
    });
    const plainConfig = only(plain.template, 'AWS::CloudFront::Distribution').Properties
      .DistributionConfig as Record<string, unknown>;
    expect(plainConfig.Aliases).toBeUndefined();
    expect(plainConfig.ViewerCertificate).toBeUndefined();
  });

  it('sends the security headers, the CSP allowing the API in connect-src', () => {
    const policy = only(plain.template, 'AWS::CloudFront::ResponseHeadersPolicy').Properties
      .ResponseHeadersPolicyConfig as Record<string, unknown>;
    expect(policy.SecurityHeadersConfig).toEqual({
      ContentSecurityPolicy: { ContentSecurityPolicy: contentSecurityPolicy(API_URL), Override: true },
      StrictTransportSecurity: {
        AccessControlMaxAgeSec: HSTS_MAX_AGE_SECONDS,
        IncludeSubdomains: true,
        Override: true,
      },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
    });
    expect(contentSecurityPolicy(API_URL)).toContain(`connect-src 'self' ${API_URL};`);
    expect(contentSecurityPolicy(API_URL)).toContain("frame-ancestors 'none'");
    expect(policy.CustomHeadersConfig).toEqual({
      Items: [{ Header: 'Permissions-Policy', Value: PERMISSIONS_POLICY, Override: true }],
    });
  });
});

describe('the deployment of the build', () => {
  it('writes config.json naming the API, beside the shell, and invalidates CloudFront after it', () => {
    const deployments = Object.values(plain.template.findResources('Custom::CDKBucketDeployment')).map(
      (resource) => resource.Properties as Record<string, unknown>,
    );
    expect(deployments).toHaveLength(2);
    const shell = deployments.find((deployment) => deployment.DistributionId !== undefined);
    const assets = deployments.find((deployment) => deployment.DistributionId === undefined);
    expect(shell).toMatchObject({ Prune: true, Exclude: ['assets/*'], DistributionPaths: ['/*'] });
    expect(shell?.SystemMetadata).toEqual({ 'cache-control': 'no-cache' });
    expect(assets).toMatchObject({ Prune: false, Exclude: ['*'], Include: ['assets/*'] });
    expect(assets?.SystemMetadata).toEqual({ 'cache-control': 'public, max-age=31536000, immutable' });

    const configs = readdirSync(plain.outdir)
      .filter((name) => name.startsWith('asset.'))
      .flatMap((name) => {
        try {
          return [readFileSync(join(plain.outdir, name, 'config.json'), 'utf8')];
        } catch {
          return [];
        }
      });
    expect(configs.map((text) => JSON.parse(text))).toEqual([{ apiUrl: API_URL }]);
  });
});

describe('compliance', () => {
  const allConstructs = (root: IConstruct): IConstruct[] => [
    root,
    ...root.node.children.flatMap(allConstructs),
  ];

  it('passes cdk-nag AwsSolutions, with and without an own domain, every acknowledgement reasoned', () => {
    for (const { app, outdir } of [plain, withDomain]) {
      const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
        pluginReports: Array<{ violations?: unknown[] }>;
      };
      expect(report.pluginReports.flatMap((plugin) => plugin.violations ?? [])).toEqual([]);
      const acknowledged = allConstructs(app).flatMap((construct) =>
        construct.node.metadata
          .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
          .flatMap((entry) => Object.entries(entry.data as Record<string, string>)),
      );
      for (const [id, reason] of acknowledged) expect(reason.length, id).toBeGreaterThan(40);
    }
  });
});
