/**
 * Every price the cost model uses: public on-demand list prices in us-east-1, each with the page it comes
 * from and whether it was confirmed there on the date below. No internet was at hand when the table was
 * written: a `confirmed` price was read in a stored copy of that page (or of AWS's own docs quoting it);
 * an unconfirmed one is the long-standing list price, to check before relying on it.
 */

export const PRICES_REGION = 'us-east-1';
export const PRICES_READ_ON = '2026-12-03';

export interface Price {
  /** US dollars per one `unit`. */
  readonly usd: number;
  readonly unit: string;
  readonly source: string;
  readonly confirmed: boolean;
}

export interface FreeTier {
  /** Units free each month. */
  readonly quantity: number;
  /** `always` tiers never expire and are applied; `12-months` ones (new accounts only) are shown, not applied. */
  readonly term: 'always' | '12-months';
  readonly source: string;
}

const SFN = 'https://aws.amazon.com/step-functions/pricing/';
const LAMBDA = 'https://aws.amazon.com/lambda/pricing/';
const EVENTBRIDGE = 'https://aws.amazon.com/eventbridge/pricing/';
const DYNAMODB = 'https://aws.amazon.com/dynamodb/pricing/on-demand/';
const SES = 'https://aws.amazon.com/ses/pricing/';
const APIGW = 'https://aws.amazon.com/api-gateway/pricing/';
const S3 = 'https://aws.amazon.com/s3/pricing/';
const FIREHOSE = 'https://aws.amazon.com/firehose/pricing/';
const ATHENA = 'https://aws.amazon.com/athena/pricing/';
const GLUE = 'https://aws.amazon.com/glue/pricing/';
const CLOUDWATCH = 'https://aws.amazon.com/cloudwatch/pricing/';
const SECRETS = 'https://aws.amazon.com/secrets-manager/pricing/';
const KMS = 'https://aws.amazon.com/kms/pricing/';
const SQS = 'https://aws.amazon.com/sqs/pricing/';
const SNS = 'https://aws.amazon.com/sns/pricing/';
const BUDGETS = 'https://aws.amazon.com/aws-cost-management/aws-budgets/pricing/';
const CLOUDFRONT = 'https://aws.amazon.com/cloudfront/pricing/';
const XRAY = 'https://aws.amazon.com/xray/pricing/';

export const PRICES = {
  sfnStandardTransition: { usd: 0.025 / 1000, unit: 'state transition', source: SFN, confirmed: true },
  sfnExpressRequest: { usd: 1 / 1e6, unit: 'request', source: SFN, confirmed: true },
  /** First 1,000 GB-hours a month ($0.06 per GB-hour); billed in 64 MB and 100 ms increments. */
  sfnExpressGbSecond: { usd: 0.00001667, unit: 'GB-second', source: SFN, confirmed: false },
  lambdaRequest: { usd: 0.2 / 1e6, unit: 'request', source: LAMBDA, confirmed: true },
  /** Arm (Graviton), first 7.5 billion GB-seconds a month. */
  lambdaArmGbSecond: { usd: 0.0000133334, unit: 'GB-second', source: LAMBDA, confirmed: true },
  lambdaX86GbSecond: { usd: 0.0000166667, unit: 'GB-second', source: LAMBDA, confirmed: true },
  eventBridgeCustomEvent: { usd: 1 / 1e6, unit: 'event (64 KB chunk)', source: EVENTBRIDGE, confirmed: true },
  eventBridgeArchiveProcessing: { usd: 0.1, unit: 'GB archived', source: EVENTBRIDGE, confirmed: true },
  eventBridgeArchiveStorage: { usd: 0.023, unit: 'GB-month', source: EVENTBRIDGE, confirmed: true },
  schedulerInvocation: { usd: 1 / 1e6, unit: 'invocation', source: EVENTBRIDGE, confirmed: true },
  dynamoWriteUnit: { usd: 0.625 / 1e6, unit: 'write request unit', source: DYNAMODB, confirmed: true },
  dynamoReadUnit: { usd: 0.125 / 1e6, unit: 'read request unit', source: DYNAMODB, confirmed: true },
  dynamoStorage: { usd: 0.25, unit: 'GB-month', source: DYNAMODB, confirmed: false },
  dynamoPitr: { usd: 0.2, unit: 'GB-month (continuous backup)', source: DYNAMODB, confirmed: false },
  sesEmail: { usd: 0.1 / 1000, unit: 'email', source: SES, confirmed: false },
  httpApiRequest: { usd: 1 / 1e6, unit: 'request (512 KB)', source: APIGW, confirmed: true },
  restApiRequest: { usd: 3.5 / 1e6, unit: 'request', source: APIGW, confirmed: true },
  s3Storage: { usd: 0.023, unit: 'GB-month (Standard)', source: S3, confirmed: false },
  s3Put: { usd: 0.005 / 1000, unit: 'PUT/COPY/POST/LIST request', source: S3, confirmed: false },
  s3Get: { usd: 0.0004 / 1000, unit: 'GET/SELECT request', source: S3, confirmed: true },
  /** Direct PUT, first 500 TB a month; each record is rounded up to 5 KB. */
  firehoseIngestion: { usd: 0.029, unit: 'GB ingested (5 KB records)', source: FIREHOSE, confirmed: false },
  firehosePartitionedGb: {
    usd: 0.02,
    unit: 'GB dynamically partitioned',
    source: FIREHOSE,
    confirmed: false,
  },
  firehosePartitionedObject: {
    usd: 0.005 / 1000,
    unit: 'S3 object delivered (partitioned)',
    source: FIREHOSE,
    confirmed: false,
  },
  firehoseJqHour: { usd: 0.07, unit: 'JQ processing hour', source: FIREHOSE, confirmed: false },
  /** 10 MB minimum per query. */
  athenaScanned: { usd: 5, unit: 'TB scanned', source: ATHENA, confirmed: true },
  glueCatalogRequest: { usd: 1 / 1e6, unit: 'Data Catalog request', source: GLUE, confirmed: true },
  logsIngestion: { usd: 0.5, unit: 'GB ingested', source: CLOUDWATCH, confirmed: true },
  logsStorage: { usd: 0.03, unit: 'GB-month archived', source: CLOUDWATCH, confirmed: false },
  alarmStandard: {
    usd: 0.1,
    unit: 'alarm metric-month (standard resolution)',
    source: CLOUDWATCH,
    confirmed: true,
  },
  dashboard: { usd: 3, unit: 'dashboard-month', source: CLOUDWATCH, confirmed: true },
  secret: { usd: 0.4, unit: 'secret-month', source: SECRETS, confirmed: false },
  secretsApiCall: { usd: 0.05 / 10_000, unit: 'API call', source: SECRETS, confirmed: false },
  kmsKey: { usd: 1, unit: 'customer managed key-month', source: KMS, confirmed: false },
  sqsRequest: { usd: 0.4 / 1e6, unit: 'request (64 KB)', source: SQS, confirmed: false },
  snsRequest: { usd: 0.5 / 1e6, unit: 'publish', source: SNS, confirmed: false },
  snsEmailNotification: { usd: 2 / 100_000, unit: 'email notification', source: SNS, confirmed: false },
  /** Beyond the two free budgets: $0.10 a day per budget. */
  budget: { usd: 3.1, unit: 'budget-month (31 days)', source: BUDGETS, confirmed: false },
  cloudFrontRequest: { usd: 0.01 / 10_000, unit: 'HTTPS request (US)', source: CLOUDFRONT, confirmed: false },
  cloudFrontTransfer: { usd: 0.085, unit: 'GB out (US)', source: CLOUDFRONT, confirmed: false },
  xrayTrace: { usd: 5 / 1e6, unit: 'trace recorded', source: XRAY, confirmed: false },
} as const satisfies Record<string, Price>;

export type PriceName = keyof typeof PRICES;

export const FREE_TIERS = {
  sfnStandardTransition: { quantity: 4000, term: 'always', source: SFN },
  lambdaRequest: { quantity: 1e6, term: 'always', source: LAMBDA },
  /** Shared by both architectures. */
  lambdaArmGbSecond: { quantity: 400_000, term: 'always', source: LAMBDA },
  schedulerInvocation: { quantity: 14e6, term: 'always', source: EVENTBRIDGE },
  dynamoStorage: { quantity: 25, term: 'always', source: DYNAMODB },
  sesEmail: { quantity: 3000, term: '12-months', source: SES },
  httpApiRequest: { quantity: 1e6, term: '12-months', source: APIGW },
  restApiRequest: { quantity: 1e6, term: '12-months', source: APIGW },
  s3Storage: { quantity: 5, term: '12-months', source: S3 },
  glueCatalogRequest: { quantity: 1e6, term: 'always', source: GLUE },
  logsIngestion: { quantity: 5, term: 'always', source: CLOUDWATCH },
  logsStorage: { quantity: 5, term: 'always', source: CLOUDWATCH },
  alarmStandard: { quantity: 10, term: 'always', source: CLOUDWATCH },
  dashboard: { quantity: 3, term: 'always', source: CLOUDWATCH },
  kmsKey: { quantity: 0, term: 'always', source: KMS },
  sqsRequest: { quantity: 1e6, term: 'always', source: SQS },
  snsRequest: { quantity: 1e6, term: 'always', source: SNS },
  snsEmailNotification: { quantity: 1000, term: 'always', source: SNS },
  budget: { quantity: 2, term: 'always', source: BUDGETS },
  cloudFrontRequest: { quantity: 10e6, term: 'always', source: CLOUDFRONT },
  cloudFrontTransfer: { quantity: 1000, term: 'always', source: CLOUDFRONT },
  xrayTrace: { quantity: 100_000, term: 'always', source: XRAY },
} as const satisfies Partial<Record<PriceName, FreeTier>>;
