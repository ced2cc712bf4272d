/**
 * The single-page app on AWS: a private S3 bucket that only this CloudFront distribution can read (origin
 * access control), the security headers of infra/constructs/web-app.ts on every response, the app's routes
 * answered by its shell, and the build of web/ deployed with a config.json naming the API.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import {
  Annotations,
  AssetHashType,
  CfnOutput,
  DefaultStackSynthesizer,
  DockerImage,
  Duration,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import type { AuroraConfig } from '../config';
import { REPOSITORY_ROOT } from '../constructs/aurora-function';
import { nagPart } from '../constructs/nag';
import {
  APP_ROUTE_FUNCTION,
  ASSETS_PREFIX,
  contentSecurityPolicy,
  HSTS_MAX_AGE_SECONDS,
  IMMUTABLE_CACHE_CONTROL,
  PERMISSIONS_POLICY,
  SHELL_CACHE_CONTROL,
} from '../constructs/web-app';
import { buildWebSync, WEB_DIST, webSourceHash } from '../constructs/web-build';

export interface WebStackProps extends StackProps {
  readonly config: AuroraConfig;
  /** The HTTP API's URL (`https://<id>.execute-api.<region>.amazonaws.com`), for config.json and the CSP. */
  readonly apiUrl: string;
}

export class WebStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: WebStackProps) {
    super(scope, id, props);
    const { config, apiUrl } = props;

    this.bucket = new s3.Bucket(this, 'Site', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    });

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Aurora Time web app: security headers (infra/constructs/web-app.ts)',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy(apiUrl), override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(HSTS_MAX_AGE_SECONDS),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
      },
      customHeadersBehavior: {
        customHeaders: [{ header: 'Permissions-Policy', value: PERMISSIONS_POLICY, override: true }],
      },
    });
    const appRoutes = new cloudfront.Function(this, 'AppRoutes', {
      comment: 'Paths without a file extension are app routes: answered by index.html',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(APP_ROUTE_FUNCTION),
    });

    const domain = config.webDomain;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Aurora Time web app (${config.stage})`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        // LIST as well as READ, so that a missing file is S3's 404 rather than its 403.
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket, {
          originAccessLevels: [cloudfront.AccessLevel.READ, cloudfront.AccessLevel.LIST],
        }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [
          { function: appRoutes, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
        ],
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      // The minimum TLS version can only be chosen with an own certificate (the *.cloudfront.net one is
      // fixed by CloudFront).
      ...(domain
        ? {
            domainNames: [domain.domainName],
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });

    // CDK warns that LIST lets a request for the root list the bucket. No request reaches the root: the
    // app-route function rewrites every extension-less path (/ included) to /index.html, and the cache
    // policy forwards no query string (a listing's list-type=2).
    Annotations.of(this.distribution).acknowledgeWarning(
      '@aws-cdk/aws-cloudfront-origins:listBucketSecurityRisk',
      'extension-less paths are rewritten to /index.html and no query string reaches the origin',
    );

    this.deployBuild(apiUrl);
    this.acknowledgeFindings(domain !== undefined);
    new CfnOutput(this, 'WebUrl', {
      value: domain ? `https://${domain.domainName}` : `https://${this.distribution.distributionDomainName}`,
    });
  }

  /**
   * Two deployments of the one build: the hashed assets first, cached for a year and never pruned (a page
   * loaded before a deploy still finds its chunks), then the shell and config.json, revalidated on every
   * load, pruning what the previous build left at the top level, and invalidating CloudFront's copies.
   */
  private deployBuild(apiUrl: string): void {
    const build = webBuildSource(this);
    const assets = new s3deploy.BucketDeployment(this, 'DeployAssets', {
      destinationBucket: this.bucket,
      sources: [build],
      exclude: ['*'],
      include: [`${ASSETS_PREFIX}*`],
      prune: false,
      cacheControl: [s3deploy.CacheControl.fromString(IMMUTABLE_CACHE_CONTROL)],
    });
    const shell = new s3deploy.BucketDeployment(this, 'DeployShell', {
      destinationBucket: this.bucket,
      sources: [build, s3deploy.Source.jsonData('config.json', { apiUrl })],
      exclude: [`${ASSETS_PREFIX}*`],
      prune: true,
      cacheControl: [s3deploy.CacheControl.fromString(SHELL_CACHE_CONTROL)],
      distribution: this.distribution,
      distributionPaths: ['/*'],
    });
    shell.node.addDependency(assets);
    this.acknowledgeDeploymentHandler();
  }

  /** The one function CDK shares between BucketDeployments: its code and role are CDK's, not ours. */
  private acknowledgeDeploymentHandler(): void {
    const handler = this.node.children.find((child) =>
      child.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    if (!handler) throw new Error('the BucketDeployment handler was not found in the web stack');
    const bucket = this.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket);
    const assetsBucket =
      `arn:${nagPart(this.partition, 'Partition')}:s3:::cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-` +
      `${nagPart(this.account, 'AccountId')}-${nagPart(this.region, 'Region')}/*`;
    const nag = Validations.of(handler);
    nag.acknowledge({
      id: 'AwsSolutions::AwsSolutions-L1',
      reason:
        "CDK's BucketDeployment handler (Python, with the AWS CLI layer) pins its runtime to the version " +
        'its code is tested with; it runs only during a deploy, never on a request.',
    });
    nag.acknowledge({
      // A managed policy's ARN names the partition by token, whatever the stack's environment.
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'CDK attaches the basic execution role (its own log group writes only) to the deployment handler it ' +
        'creates; the handler has no other managed policy.',
    });
    // What CDK's BucketDeployment grants the handler, finding by finding.
    const grants: Array<[string, string]> = [
      ['Action::s3:GetObject*', 'reads the build asset, on the CDK assets bucket and the site bucket only'],
      ['Action::s3:GetBucket*', 'reads bucket metadata to sync, on the assets and site buckets only'],
      ['Action::s3:List*', 'lists keys to sync and prune, on the assets and site buckets only'],
      ['Action::s3:DeleteObject*', 'prunes the previous build, on the site bucket only'],
      ['Action::s3:Abort*', 'aborts its own multipart uploads, on the site bucket only'],
      [`Resource::<${bucket}.Arn>/*`, 'writes every key of the site bucket, which holds only the web build'],
      [`Resource::${assetsBucket}`, 'reads the asset zip, whose key is a content hash known at deploy time'],
      ['Resource::*', 'creates and reads CloudFront invalidations, which have no resource-level ARN'],
    ];
    for (const [finding, why] of grants) {
      nag.acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[${finding}]`,
        reason: `CDK's BucketDeployment handler ${why}; it runs only while a deploy copies the build.`,
      });
    }
  }

  private acknowledgeFindings(ownCertificate: boolean): void {
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason:
        'The bucket holds only the public build of the web app, written only by the deployment; every read ' +
        'goes through CloudFront, so S3 access logs would record CloudFront fetching build files.',
    });
    const distribution = Validations.of(this.distribution);
    distribution.acknowledge({
      id: 'AwsSolutions::AwsSolutions-CFR1',
      reason:
        'The app is for people wherever they live and travel (reminders follow their time zone); there is ' +
        'no country it must not be served in.',
    });
    distribution.acknowledge({
      id: 'AwsSolutions::AwsSolutions-CFR2',
      reason:
        'The distribution serves static, public files only (GET/HEAD, cached); the API it calls has its own ' +
        'throttling and authorizer. A WAF web ACL costs more than it protects here; add one with the ' +
        'custom domain if abuse appears.',
    });
    distribution.acknowledge({
      id: 'AwsSolutions::AwsSolutions-CFR3',
      reason:
        'Access logs of public static files carry no security signal the API access logs do not; standard ' +
        'logging needs an ACL-enabled log bucket, which the private-bucket posture avoids.',
    });
    if (!ownCertificate) {
      distribution.acknowledge({
        id: 'AwsSolutions::AwsSolutions-CFR4',
        reason:
          'Without a custom domain the distribution uses the *.cloudfront.net certificate, whose security ' +
          'policy CloudFront fixes; set webDomainName and webCertificateArn to get TLSv1.2_2021 as the minimum.',
      });
    }
  }
}

/**
 * The build of web/ as an asset: CDK's local bundling runs `npm run web:build` (skipped when web/dist is
 * already the build of the current sources) and takes web/dist, less any config.json (this stack writes
 * the real one). The asset hash is the sources' hash, so an unchanged app is neither rebuilt nor uploaded.
 * When the stack is not bundled (the local cloud serves web/ itself, and infra tests) nothing is built or
 * hashed, and the asset points at the repository, unused.
 */
function webBuildSource(stack: Stack): s3deploy.ISource {
  const bundled = stack.bundlingRequired;
  return s3deploy.Source.asset(REPOSITORY_ROOT, {
    assetHashType: AssetHashType.CUSTOM,
    assetHash: bundled ? webSourceHash() : 'web-app-not-bundled',
    bundling: {
      // Required by the type; local bundling always answers, so no container ever runs.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22-alpine'),
      local: {
        tryBundle(outputDir: string): boolean {
          buildWebSync();
          cpSync(WEB_DIST, outputDir, {
            recursive: true,
            filter: (source) => source !== join(WEB_DIST, 'config.json'),
          });
          return true;
        },
      },
    },
  });
}
