/**
 * Local Amazon SES behind the edge: the SES v1 query API (SendEmail, SendRawEmail, SendTemplatedEmail) and the
 * SES v2 REST API (SendEmail with Simple, Raw or Template content; email templates), for signing name `ses`,
 * with identities and the sending quota in both (./account-api),
 * plus the inbox under `/_aurora/ses` (JSON and a web page).
 *
 * The wire protocols and account checks are implemented here rather than by mounting aws-ses-v2-local's
 * Express app: that app keeps one process-wide, unpersisted store, stamps mail with the wall clock, answers
 * errors in shapes the SDK cannot map to exception classes, and drops all but the first recipient of a v1
 * list. What it does well, SES template rendering and MIME parsing, is reused (see ./library).
 *
 * Identities: once at least one identity is verified (the deployer calls `verifyIdentity` for each
 * AWS::SES::EmailIdentity), a sender whose address and domain are both unverified is refused with SES's
 * MessageRejected. With none, everything is sent: a template that declares no identity still works locally.
 * Recipients are never checked, as for an account out of the SES sandbox.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Clock } from '../clock';
import { AwsServiceError, type HttpService, type Operation, type RequestContext } from '../edge/contracts';
import { sendHttpReply } from '../edge/http-reply';
import { decodeQueryInput } from '../edge/query-input';
import { readJsonOr, writeJsonAtomic } from '../shared/persistence';
import type { EventEntry } from '../shared/ports';
import { bareAddress, domainOf, type OutgoingMail, type SesDialect } from './compose';
import { bouncedRecipients, bounceEvent, type EventBridgeDestination } from './email-events';
import { INBOX_CONTENT_SECURITY_POLICY, renderInboxPage } from './inbox-page';
import type { TemplateParts } from './library';
import { Mailbox, type SentMail } from './mailbox';
import { queryErrorXml, queryResponseXml } from './query-protocol';
import type { SesSender } from './sender';
import { sesV1Operations } from './v1-api';
import { routeV2Request, sesV2Operations } from './v2-api';

export interface SesServiceOptions {
  readonly clock: Clock;
  /** The local cloud's state directory; SES keeps its files under `${stateDir}/ses/`. */
  readonly stateDir: string;
  readonly account: string;
  readonly defaultRegion?: string;
  /**
   * EventBridge PutEvents, for the email events of configuration sets with an EventBridge destination; it
   * reports its own failures (an event is published after the send was answered, as SES does).
   */
  readonly publishEvents: (entries: readonly EventEntry[]) => Promise<unknown>;
}

interface SesSetup {
  identities: string[];
  configurationSets: string[];
  templates: Record<string, TemplateParts>;
  /** By configuration set. */
  eventDestinations?: Record<string, EventBridgeDestination[]>;
}

export const SES_INBOX_PATH = '/_aurora/ses';
const DAY_MS = 86_400_000;

export class SesService implements HttpService, SesSender {
  readonly protocol = 'http';
  readonly signingName = 'ses';
  readonly pathPrefixes = [SES_INBOX_PATH];

  private readonly clock: Clock;
  private readonly setupPath: string;
  private readonly mailbox: Mailbox;
  private readonly identities: Set<string>;
  private readonly configurationSets: Set<string>;
  private readonly templates: Map<string, TemplateParts>;
  private readonly defaultRegion: string;
  private readonly account: string;
  private readonly eventDestinations: Map<string, EventBridgeDestination[]>;
  private readonly publishEvents: SesServiceOptions['publishEvents'];
  private readonly v1Operations: { readonly [action: string]: Operation | undefined } = sesV1Operations(this);
  private readonly v2Operations: { readonly [name: string]: Operation | undefined } = sesV2Operations(this);

  constructor(options: SesServiceOptions) {
    const directory = join(options.stateDir, 'ses');
    this.clock = options.clock;
    this.account = options.account;
    this.defaultRegion = options.defaultRegion ?? 'us-east-1';
    this.setupPath = join(directory, 'setup.json');
    this.mailbox = new Mailbox(directory);
    const setup = readJsonOr<SesSetup>(this.setupPath, {
      identities: [],
      configurationSets: [],
      templates: {},
    });
    this.identities = new Set(setup.identities);
    this.configurationSets = new Set(setup.configurationSets);
    this.templates = new Map(Object.entries(setup.templates));
    this.eventDestinations = new Map(Object.entries(setup.eventDestinations ?? {}));
    this.publishEvents = options.publishEvents;
  }

  /** For AWS::SES::ConfigurationSetEventDestination with an EventBridge destination. */
  addEventDestination(configurationSet: string, destination: EventBridgeDestination): void {
    const others = (this.eventDestinations.get(configurationSet) ?? []).filter(
      (existing) => existing.name !== destination.name,
    );
    this.eventDestinations.set(configurationSet, [...others, destination]);
    this.saveSetup();
  }

  /** Marks an email address (`no-reply@example.com`) or a whole domain (`example.com`) as verified. */
  verifyIdentity(emailOrDomain: string): void {
    this.identities.add(emailOrDomain.trim().toLowerCase());
    this.saveSetup();
  }

  identityNames(): string[] {
    return [...this.identities].sort();
  }

  deleteIdentity(emailOrDomain: string): boolean {
    const deleted = this.identities.delete(emailOrDomain.trim().toLowerCase());
    if (deleted) this.saveSetup();
    return deleted;
  }

  sentInLast24Hours(): number {
    const since = this.clock.now() - DAY_MS;
    return this.mailbox.list().filter((mail) => Date.parse(mail.at) > since).length;
  }

  createConfigurationSet(name: string): void {
    this.configurationSets.add(name);
    this.saveSetup();
  }

  /** For AWS::SES::Template and CreateEmailTemplate; false when the name is taken. */
  createTemplate(name: string, parts: TemplateParts): boolean {
    if (this.templates.has(name)) return false;
    this.templates.set(name, parts);
    this.saveSetup();
    return true;
  }

  templateNames(): string[] {
    return [...this.templates.keys()].sort();
  }

  deleteTemplate(name: string): boolean {
    const deleted = this.templates.delete(name);
    if (deleted) this.saveSetup();
    return deleted;
  }

  template(nameOrArn: string): TemplateParts | undefined {
    if (!nameOrArn.startsWith('arn:')) return this.templates.get(nameOrArn);
    // arn:aws:ses:<region>:<account>:template/<name>; another account's template is not found here.
    const match = /^arn:aws[\w-]*:ses:[^:]*:(\d*):template\/(.+)$/.exec(nameOrArn);
    return match?.[1] === this.account && match[2] !== undefined ? this.templates.get(match[2]) : undefined;
  }

  /** Sent mail, newest first. */
  messages(): SentMail[] {
    return this.mailbox.list();
  }

  clearMessages(): void {
    this.mailbox.clear();
  }

  accept(mail: OutgoingMail, dialect: SesDialect, operation: string, region: string): string {
    if (mail.configurationSetName !== undefined && !this.configurationSets.has(mail.configurationSetName)) {
      throw dialect.configurationSetNotFound(mail.configurationSetName);
    }
    const failed = this.unverifiedSenders(mail.senders);
    if (failed.length > 0) {
      throw new AwsServiceError(
        'MessageRejected',
        `Email address is not verified. The following identities failed the check in region ${region.toUpperCase()}: ${failed.join(', ')}`,
        400,
      );
    }
    const now = this.clock.now();
    const id = `0100${now.toString(16).padStart(12, '0')}-${randomUUID()}-000000`;
    this.mailbox.add({
      id,
      from: mail.from,
      to: mail.to,
      cc: mail.cc,
      bcc: mail.bcc,
      replyTo: mail.replyTo,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      attachments: mail.attachments,
      at: new Date(now).toISOString(),
      configurationSetName: mail.configurationSetName,
      tags: mail.tags,
      via: operation,
    });
    this.publishBounces(mail, id, new Date(now).toISOString());
    return id;
  }

  private publishBounces(mail: OutgoingMail, messageId: string, at: string): void {
    const recipients = bouncedRecipients(mail);
    const destinations = (this.eventDestinations.get(mail.configurationSetName ?? '') ?? []).filter(
      (destination) => destination.eventTypes.includes('bounce'),
    );
    if (recipients.length === 0 || destinations.length === 0) return;
    const entries = destinations.map((destination) =>
      bounceEvent({ mail, messageId, recipients, destination, account: this.account, at }),
    );
    void this.publishEvents(entries);
  }

  async handle(request: IncomingMessage, response: ServerResponse, body: Buffer): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    if (url.pathname === SES_INBOX_PATH || url.pathname.startsWith(`${SES_INBOX_PATH}/`)) {
      this.handleInbox(method, url, response);
      return;
    }
    const context: RequestContext = {
      region: regionOf(request) ?? this.defaultRegion,
      accountId: this.account,
      // Behind the edge, answer with the request id it already announced.
      requestId: String(response.getHeader('x-amzn-requestid') ?? randomUUID()),
    };
    if (url.pathname.startsWith('/v2/')) {
      await this.handleV2(method, url.pathname, body, context, response);
      return;
    }
    if (method === 'POST' && url.pathname === '/') {
      await this.handleQuery(body, context, response);
      return;
    }
    sendHttpReply(response, 404, { message: `No SES operation at ${method} ${url.pathname}` });
  }

  private async handleQuery(body: Buffer, context: RequestContext, response: ServerResponse) {
    const xml = { 'content-type': 'text/xml', 'x-amzn-requestid': context.requestId };
    try {
      const parameters = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
      const action = parameters.Action;
      if (!action)
        throw new AwsServiceError('MissingAction', 'The request must contain the parameter Action.', 400);
      const operation = operationOf(this.v1Operations, action);
      if (!operation) {
        throw new AwsServiceError(
          'InvalidAction',
          `Could not find operation ${action} for version 2010-12-01`,
        );
      }
      const result = await operation(decodeQueryInput(parameters), context);
      sendHttpReply(response, 200, queryResponseXml(action, result, context.requestId), xml);
    } catch (error) {
      const failure = asServiceError(error);
      sendHttpReply(response, failure.statusCode, queryErrorXml(failure, context.requestId), xml);
    }
  }

  private async handleV2(
    method: string,
    path: string,
    body: Buffer,
    context: RequestContext,
    response: ServerResponse,
  ) {
    try {
      const route = routeV2Request(method, path, parseJsonBody(body));
      const operation = route && operationOf(this.v2Operations, route.operation);
      if (!route || !operation)
        throw new AwsServiceError('UnknownOperationException', `No operation at ${method} ${path}`, 404);
      const result = await operation(route.input, context);
      sendHttpReply(response, 200, result, { 'x-amzn-requestid': context.requestId });
    } catch (error) {
      const failure = asServiceError(error);
      sendHttpReply(
        response,
        failure.statusCode,
        { message: failure.message },
        { 'x-amzn-errortype': failure.code, 'x-amzn-requestid': context.requestId },
      );
    }
  }

  private handleInbox(method: string, url: URL, response: ServerResponse): void {
    const rest = url.pathname.slice(SES_INBOX_PATH.length);
    if (method === 'GET' && (rest === '' || rest === '/')) {
      const selectedId = url.searchParams.get('message');
      const page = renderInboxPage(
        this.mailbox.list(),
        selectedId ? this.mailbox.find(selectedId) : undefined,
        SES_INBOX_PATH,
      );
      sendHttpReply(response, 200, page, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': INBOX_CONTENT_SECURITY_POLICY,
        'x-content-type-options': 'nosniff',
      });
      return;
    }
    if (method === 'POST' && rest === '/clear') {
      this.mailbox.clear();
      sendHttpReply(response, 303, '', { location: SES_INBOX_PATH });
      return;
    }
    if (rest === '/messages' && method === 'GET') {
      const to = url.searchParams.get('to')?.toLowerCase();
      const mails = this.mailbox.list();
      sendHttpReply(response, 200, to ? mails.filter((mail) => isAddressedTo(mail, to)) : mails);
      return;
    }
    if (rest === '/messages' && method === 'DELETE') {
      this.mailbox.clear();
      sendHttpReply(response, 204, '');
      return;
    }
    const id = /^\/messages\/([^/]+)$/.exec(rest)?.[1];
    const mail = id && method === 'GET' ? this.mailbox.find(decodeURIComponent(id)) : undefined;
    if (mail) sendHttpReply(response, 200, mail);
    else sendHttpReply(response, 404, { message: `Not found: ${method} ${url.pathname}` });
  }

  private unverifiedSenders(senders: readonly string[]): string[] {
    if (this.identities.size === 0) return [];
    return senders.flatMap((sender) => {
      if (this.isVerified(bareAddress(sender).toLowerCase())) return [];
      // SES names the header value as given and, when it carries a display name, the bare address too.
      return sender.trim() === bareAddress(sender)
        ? [bareAddress(sender)]
        : [sender.trim(), bareAddress(sender)];
    });
  }

  /** An address is covered by its own identity, its domain's, or a parent domain's. */
  private isVerified(address: string): boolean {
    if (this.identities.has(address)) return true;
    const labels = domainOf(address).split('.');
    return labels.some((_, index) => this.identities.has(labels.slice(index).join('.')));
  }

  private saveSetup(): void {
    const setup: SesSetup = {
      identities: [...this.identities],
      configurationSets: [...this.configurationSets],
      templates: Object.fromEntries(this.templates),
      eventDestinations: Object.fromEntries(this.eventDestinations),
    };
    writeJsonAtomic(this.setupPath, setup);
  }
}

function isAddressedTo(mail: SentMail, address: string): boolean {
  return [...mail.to, ...mail.cc, ...mail.bcc].some(
    (recipient) => bareAddress(recipient).toLowerCase() === address,
  );
}

/** The region from the SigV4 credential scope: `Credential=AKID/20240101/eu-west-1/ses/aws4_request`. */
function regionOf(request: IncomingMessage): string | undefined {
  return /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(request.headers.authorization ?? '')?.[1];
}

/** Own members only: an action named like an Object.prototype member is not an operation. */
function operationOf(
  operations: { readonly [name: string]: Operation | undefined },
  name: string,
): Operation | undefined {
  return Object.hasOwn(operations, name) ? operations[name] : undefined;
}

function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new AwsServiceError('BadRequestException', 'The request body is not valid JSON.', 400);
  }
}

function asServiceError(error: unknown): AwsServiceError {
  if (error instanceof AwsServiceError) return error;
  return new AwsServiceError('InternalFailure', `Internal error: ${(error as Error).message}`, 500);
}
