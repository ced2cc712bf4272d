/**
 * Deployment settings, read once from CDK context (`-c stage=prod`) or the environment. Everything has a
 * default, so `cdk synth` works on a fresh clone with no configuration and no AWS account.
 */
import type { Construct } from 'constructs';

export interface AuroraConfig {
  /** Prefix of every physical name, so that several stages can share an account. */
  readonly stage: string;
  /** Address OTP and reminder emails come from; its domain must be verified in SES. */
  readonly senderEmail: string;
  /** Graph API base URL of the Send API (Meta's in AWS; the local stand-in locally). */
  readonly graphApiBaseUrl: string;
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Days the bus archive keeps events (analytics reads it). */
  readonly archiveRetentionDays: number;
  /**
   * A reminder fired later than this (the system was down) goes into one digest per person rather than
   * arriving on its own. Scheduler never fires later than a schedule's 24-hour maximum event age, so the
   * default is an hour: past that a reminder is news, not a nudge.
   */
  readonly reminderDigestAfterMinutes: number;
  /** How long five wrong codes lock an address's sign-in (minutes). */
  readonly otpLockMinutes: number;
  /** One code per address per this many seconds: a request inside it is told how long to wait. */
  readonly otpThrottleSeconds: number;
  /** How long a code, and the session waiting for it, stays valid (minutes). */
  readonly otpSessionMinutes: number;
  /** Athena cancels an analytics query that would scan more than this many megabytes (at least 10). */
  readonly analyticsScanLimitMegabytes: number;
  /**
   * Origins the HTTP API's CORS allows (the web app calls the API cross-origin). The CloudFront domain is
   * not known before the first deploy, and reading it from the web stack would make the API and web stacks
   * depend on each other, so it is a setting: the default is the local web app and Vite's dev server.
   */
  readonly webOrigins: readonly string[];
  /**
   * Addresses that are admins by configuration (lower-cased), beside those granted by `npm run admin`: the
   * functions that check the admin role read them from ADMIN_EMAILS.
   */
  readonly adminEmails: readonly string[];
  /** Where operators' alerts (alarms, failed workflows, budget) are emailed; none when unset. */
  readonly opsEmail?: string;
  /** The monthly cost budget in USD; alerts at 50, 80 and 100% of it. */
  readonly monthlyBudgetUsd: number;
  /** The web app's own domain and its ACM certificate (us-east-1): both or neither. */
  readonly webDomain?: { readonly domainName: string; readonly certificateArn: string };
}

export function readConfig(scope: Construct): AuroraConfig {
  const setting = (key: string, environmentVariable: string, fallback: string): string =>
    (scope.node.tryGetContext(key) as string | undefined) ?? process.env[environmentVariable] ?? fallback;
  const logLevel = setting('logLevel', 'AURORA_LOG_LEVEL', 'INFO').toUpperCase();
  if (!['DEBUG', 'INFO', 'WARN', 'ERROR'].includes(logLevel)) {
    throw new Error(`logLevel must be DEBUG, INFO, WARN or ERROR, got ${logLevel}`);
  }
  const stage = setting('stage', 'AURORA_STAGE', 'dev');
  if (!/^[a-z][a-z0-9-]{0,15}$/.test(stage))
    throw new Error(`stage must match ^[a-z][a-z0-9-]{0,15}$, got ${stage}`);
  // String(): a list in cdk.json's context reads as its comma-joined text.
  const webOrigins = String(setting('webOrigins', 'AURORA_WEB_ORIGINS', DEFAULT_WEB_ORIGINS.join(',')))
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of webOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin))
      throw new Error(`webOrigins must be origins like https://app.example.com (no path), got ${origin}`);
  }
  const adminEmails = String(setting('admins', 'AURORA_ADMINS', ''))
    .split(',')
    .map((email) => email.trim().toLowerCase())
    .filter((email) => email !== '');
  for (const email of adminEmails) {
    if (!/^[^@\s,]+@[^@\s,]+\.[^@\s,]+$/.test(email))
      throw new Error(`admins must be email addresses separated by commas, got ${email}`);
  }
  const webDomainName = setting('webDomainName', 'AURORA_WEB_DOMAIN_NAME', '');
  const webCertificateArn = setting('webCertificateArn', 'AURORA_WEB_CERTIFICATE_ARN', '');
  if ((webDomainName === '') !== (webCertificateArn === '')) {
    throw new Error('webDomainName and webCertificateArn go together: set both or neither');
  }
  const opsEmail = setting('opsEmail', 'AURORA_OPS_EMAIL', '').trim();
  if (opsEmail !== '' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(opsEmail))
    throw new Error(`opsEmail must be an email address, got ${opsEmail}`);
  const monthlyBudgetUsd = Number(setting('monthlyBudgetUsd', 'AURORA_MONTHLY_BUDGET_USD', '50'));
  if (!Number.isFinite(monthlyBudgetUsd) || monthlyBudgetUsd <= 0)
    throw new Error(`monthlyBudgetUsd must be a positive amount of US dollars, got ${monthlyBudgetUsd}`);
  return {
    stage,
    senderEmail: setting('senderEmail', 'AURORA_SENDER_EMAIL', 'no-reply@aurora-time.example'),
    graphApiBaseUrl: setting(
      'graphApiBaseUrl',
      'AURORA_GRAPH_API_BASE_URL',
      'https://graph.facebook.com/v21.0',
    ),
    logLevel: logLevel as AuroraConfig['logLevel'],
    archiveRetentionDays: Number(setting('archiveRetentionDays', 'AURORA_ARCHIVE_RETENTION_DAYS', '400')),
    reminderDigestAfterMinutes: positiveInteger(
      'reminderDigestAfterMinutes',
      setting('reminderDigestAfterMinutes', 'AURORA_REMINDER_DIGEST_AFTER_MINUTES', '60'),
    ),
    otpLockMinutes: positiveInteger(
      'otpLockMinutes',
      setting('otpLockMinutes', 'AURORA_OTP_LOCK_MINUTES', '15'),
    ),
    otpThrottleSeconds: positiveInteger(
      'otpThrottleSeconds',
      setting('otpThrottleSeconds', 'AURORA_OTP_THROTTLE_SECONDS', '11'),
      'seconds',
    ),
    otpSessionMinutes: positiveInteger(
      'otpSessionMinutes',
      setting('otpSessionMinutes', 'AURORA_OTP_SESSION_MINUTES', '15'),
    ),
    analyticsScanLimitMegabytes: scanLimitMegabytes(
      setting('analyticsScanLimitMegabytes', 'AURORA_ANALYTICS_SCAN_LIMIT_MB', '1024'),
    ),
    webOrigins,
    adminEmails,
    ...(opsEmail === '' ? {} : { opsEmail }),
    monthlyBudgetUsd,
    ...(webDomainName === ''
      ? {}
      : { webDomain: { domainName: webDomainName, certificateArn: webCertificateArn } }),
  };
}

/** The local web app (`npm start`) and Vite's dev server, on both loopback names. */
export const DEFAULT_WEB_ORIGINS = ['http://127.0.0.1:5173', 'http://localhost:5173'];

/** A whole number of minutes (at most a day) or of seconds (at most an hour). */
function positiveInteger(key: string, value: string, unit: 'minutes' | 'seconds' = 'minutes'): number {
  const number = Number(value);
  const most = unit === 'minutes' ? 1440 : 3600;
  if (!Number.isInteger(number) || number < 1 || number > most) {
    throw new Error(`${key} must be a whole number of ${unit} from 1 to ${most}, got ${value}`);
  }
  return number;
}

/** Athena's BytesScannedCutoffPerQuery is at least 10 MB. */
function scanLimitMegabytes(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 10) {
    throw new Error(
      `analyticsScanLimitMegabytes must be a whole number of megabytes, at least 10, got ${value}`,
    );
  }
  return number;
}
