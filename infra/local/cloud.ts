/**
 * The local cloud: one edge endpoint speaking the AWS protocols, one API Gateway port, every emulated
 * service on one clock and one state directory, and the app's synthesized templates deployed onto them.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type ApiModel, apisFromTemplate } from './apigateway/model';
import { type RunningApiGateway, startApiGateway } from './apigateway/server';
import { Clock, type ClockMode } from './clock';
import type { LocalCloudConfig } from './config';
import { localSecretValue } from './config';
import { type ControlState, controlService } from './control/service';
import { readAssembly } from './deployer/assembly';
import { type DeploymentReport, deployStacks } from './deployer/deploy';
import { type Edge, startEdge } from './edge/server';
import { acceptedDelivery } from './messenger/inbound';
import { NO_LOCAL_EFFECT, provisioners } from './provisioners';
import { LocalServices } from './services';
import { readJsonOr, writeJsonAtomic } from './shared/persistence';
import { synthesizeCached } from './synth';
import { buildWebAppCached, type WebBuildOutcome } from './web/build';
import { type RunningWebServer, startWebServer } from './web/server';

interface SavedClock {
  readonly mode: ClockMode;
  readonly now: number;
  /** The cloud's time minus the wall clock's when it was saved. */
  readonly offsetMs: number;
}

/**
 * The clock resumes where it was (its offset from the wall clock, or a manual clock's time) and never starts
 * earlier than that: a restart must not take time backwards under scheduled work. Every jump is saved.
 */
function resumedClock(config: LocalCloudConfig): Clock {
  const file = join(config.stateDir, 'clock.json');
  const saved = readJsonOr<SavedClock | undefined>(file, undefined);
  const resumed =
    saved === undefined ? undefined : saved.mode === 'real' ? Date.now() + saved.offsetMs : saved.now;
  const requested = config.clockStart ?? Date.now();
  const clock = new Clock(config.clockMode, Math.max(requested, resumed ?? requested));
  const save = () => {
    const now = clock.now();
    writeJsonAtomic(file, { mode: clock.mode, now, offsetMs: now - Date.now() } satisfies SavedClock);
  };
  save();
  clock.onChange(save);
  return clock;
}

export interface StartOptions {
  /** A synthesized cloud assembly to deploy; by default the app is synthesized into the state directory. */
  readonly assemblyDirectory?: string;
  /**
   * A folder to serve as the web app's build instead of building web/ (a test's tiny fake build). Used
   * only when `config.web` is on.
   */
  readonly webRoot?: string;
  readonly log?: (line: string) => void;
}

/** The single-page app: where it is served and from what, or why it is not. */
export interface WebAppReport {
  /** Undefined when `config.web` is off or the port could not be bound. */
  readonly url?: string;
  /** built / unchanged: web/dist; given: StartOptions.webRoot; unavailable / failed: a 503 page says why. */
  readonly status: 'built' | 'unchanged' | 'given' | 'unavailable' | 'failed' | 'off';
  readonly directory?: string;
  readonly reason?: string;
}

export interface LocalCloud {
  readonly config: LocalCloudConfig;
  readonly edgeUrl: string;
  readonly apiUrl: string;
  /** The web app (index.html, /config.json naming `apiUrl`), when `config.web` is on: open it in a browser. */
  readonly webUrl?: string;
  readonly webApp: WebAppReport;
  readonly clock: Clock;
  readonly services: LocalServices;
  readonly deployment: DeploymentReport;
  stop(): Promise<void>;
}

const SERVICE_NAMES = [
  'edge',
  'apigateway',
  'dynamodb',
  'sqs',
  'ses',
  'graph',
  'lambda',
  'events',
  'scheduler',
  'states',
  'secretsmanager',
  'sts',
  'sns',
  's3',
  'firehose',
  'glue',
  'athena',
] as const;

type Log = (line: string) => void;
/** Runs one start-up step and logs how long it took. */
type Step = <T>(label: string, work: () => Promise<T> | T) => Promise<T>;

function timedSteps(log: Log): Step {
  return async (label, work) => {
    const started = performance.now();
    const result = await work();
    log(`  ✓ ${label} (${Math.round(performance.now() - started)} ms)`);
    return result;
  };
}

export async function startLocalCloud(
  config: LocalCloudConfig,
  options: StartOptions = {},
): Promise<LocalCloud> {
  const log = options.log ?? ((line: string) => console.log(line));
  const step = timedSteps(log);

  if (config.fresh) rmSync(config.stateDir, { recursive: true, force: true });
  mkdirSync(config.stateDir, { recursive: true });
  const account = { accountId: config.account, region: config.region };
  const clock = resumedClock(config);
  const control: ControlState = {
    ready: false,
    services: Object.fromEntries(SERVICE_NAMES.map((name) => [name, 'starting'])),
    resources: {},
  };

  const edge: Edge = await step('edge endpoint', () =>
    startEdge({
      port: config.edgePort,
      host: config.host,
      services: [controlService(clock, control)],
      account,
    }),
  );
  let gateway: RunningApiGateway | undefined;
  let services: LocalServices | undefined;
  let web: RunningWebServer | undefined;
  try {
    const pageAccessToken = localSecretValue('messenger-page-token', config.stateDir).value;
    services = await step('services', () => {
      const created = new LocalServices({
        clock,
        stateDir: config.stateDir,
        account,
        edgeUrl: edge.url,
        pageAccessToken,
        enforceIam: config.enforceIam,
        log,
      });
      for (const service of created.edgeServices(account)) edge.register(service);
      return created;
    });
    const running = services;
    gateway = await step('API Gateway', () => startGateway(config, clock, running, log));
    const webStart: { web?: RunningWebServer; webApp: WebAppReport } = config.web
      ? await startWeb(config, edge, gateway.url, step, log)
      : { webApp: { status: 'off' } };
    web = webStart.web;
    // Built beside synthesis and deployment (a child process, on the other core), awaited at the end.
    const webBuild = web && !options.webRoot ? buildWebApp(config) : undefined;
    const deployment = await deploy({ config, options, edge, gateway, services: running, web, step, log });
    running.messengerChat.defaultWebhookUrl = `${gateway.url}/webhook`;
    const webApp = web ? await serveWebApp(web, options.webRoot, webBuild, log) : webStart.webApp;

    control.resources = deployedResources(deployment);
    for (const name of SERVICE_NAMES) control.services[name] = 'ready';
    control.ready = true;

    const stoppable = { edge, gateway, services, web };
    return {
      config,
      edgeUrl: edge.url,
      apiUrl: gateway.url,
      ...(webApp.url ? { webUrl: webApp.url } : {}),
      webApp,
      clock,
      services,
      deployment,
      stop: async () => {
        control.ready = false;
        await stoppable.web?.close();
        await stoppable.gateway.close();
        // The edge stays up meanwhile: the functions finishing their work still call AWS through it.
        await stoppable.services.drain();
        await stoppable.edge.close();
        await stoppable.services.stop();
        clock.dispose();
      },
    };
  } catch (error) {
    await web?.close();
    await gateway?.close();
    await edge.close();
    await services?.stop();
    clock.dispose();
    throw error;
  }
}

function startGateway(config: LocalCloudConfig, clock: Clock, services: LocalServices, log: Log) {
  return startApiGateway({
    port: config.httpPort,
    host: config.host,
    apis: [],
    clock,
    account: { accountId: config.account, region: config.region },
    invoke: async (functionArn, payload) => {
      const result = await services.lambda.invoke(functionArn, payload, {
        invocationType: 'RequestResponse',
      });
      // A webhook delivery posted the way Meta posts it: for Meta's stand-in, the person wrote.
      services.graph.recordInbound(acceptedDelivery(payload, result.payload));
      return result;
    },
    log,
  });
}

/** The web server, or why it could not start (everything else runs without it). */
async function startWeb(
  config: LocalCloudConfig,
  edge: Edge,
  apiUrl: string,
  step: Step,
  log: Log,
): Promise<{ web?: RunningWebServer; webApp: WebAppReport }> {
  try {
    const web = await step('web server', () =>
      startWebServer({ port: config.webPort, host: config.host, apiUrl }),
    );
    edge.allowOrigins([web.url]);
    return { web, webApp: { status: 'off' } };
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
        ? `port ${config.webPort} is in use (choose another with --web-port=N)`
        : (error as Error).message;
    log(`  ✗ web server: ${reason}; everything else runs without the web app`);
    return { webApp: { status: 'failed', reason } };
  }
}

function buildWebApp(config: LocalCloudConfig): Promise<WebBuildOutcome> {
  return buildWebAppCached(join(config.stateDir, 'web-build.log')).catch((error: unknown) => ({
    status: 'failed' as const,
    reason: (error as Error).message,
    ms: 0,
  }));
}

/** Synthesizes the app (unless given an assembly) and deploys it, then routes the gateway to its APIs. */
async function deploy(input: {
  config: LocalCloudConfig;
  options: StartOptions;
  edge: Edge;
  gateway: RunningApiGateway;
  services: LocalServices;
  web: RunningWebServer | undefined;
  step: Step;
  log: Log;
}): Promise<DeploymentReport> {
  const { config, edge, gateway, step, log } = input;
  const assemblyDirectory =
    input.options.assemblyDirectory ??
    (await step('synthesize the CDK app', () => {
      const { directory, cached } = synthesizeCached();
      if (cached) log(`    (unchanged sources: reusing ${directory})`);
      return directory;
    }));
  const stacks = readAssembly(assemblyDirectory);
  const apis: ApiModel[] = [];
  const deployment = await step(`deploy ${stacks.length} stack(s)`, () =>
    deployStacks(stacks, {
      account: config.account,
      region: config.region,
      edgeUrl: edge.url,
      apiUrl: gateway.url,
      provisioners: provisioners(input.services, config.stateDir),
      // Locally the Send API is the Graph stand-in on the edge (a deploy-time parameter, as in AWS), and
      // the API's CORS allows the local web server's origin too, on whatever port it has.
      parameterValues: {
        GraphApiBaseUrl: `${edge.url}/graph/v21.0`,
        WebOrigins: webOrigins(stacks, input.web?.url).join(','),
      },
      noLocalEffect: NO_LOCAL_EFFECT,
      onStackResolved: (resources) => {
        const byLogicalId = Object.fromEntries(
          resources.map((resource) => [
            resource.logicalId,
            { Type: resource.type, Properties: resource.properties },
          ]),
        );
        const physicalIds = new Map(resources.map((resource) => [resource.logicalId, resource.identity.ref]));
        apis.push(...apisFromTemplate(byLogicalId, (logicalId) => physicalIds.get(logicalId) ?? logicalId));
      },
      progress: log,
    }),
  );
  gateway.setApis(apis);
  return deployment;
}

/** Points the web server at the given folder or at the finished build, or at a page saying why there is none. */
async function serveWebApp(
  web: RunningWebServer,
  webRoot: string | undefined,
  webBuild: Promise<WebBuildOutcome> | undefined,
  log: Log,
): Promise<WebAppReport> {
  if (webRoot !== undefined) {
    web.setContent({ kind: 'build', directory: webRoot });
    return { url: web.url, status: 'given', directory: webRoot };
  }
  if (!webBuild) return { status: 'off' };
  const { ms, ...outcome } = await webBuild;
  if ('reason' in outcome) {
    const output = outcome.output ?? [];
    web.setContent({ kind: 'unavailable', reason: [outcome.reason, ...output].join('\n') });
    log(
      `  ✗ web app ${outcome.status === 'failed' ? 'build failed' : 'not built'}: ${outcome.reason}; ` +
        'everything else runs, and the web URL says why until it is built',
    );
    for (const line of output) log(`      ${line}`);
    return { url: web.url, status: outcome.status, reason: outcome.reason };
  }
  web.setContent({ kind: 'build', directory: outcome.directory });
  log(`  ✓ build the web app (${ms} ms${outcome.status === 'built' ? ', beside the rest' : ''})`);
  if (outcome.status === 'unchanged') log('    (unchanged sources: reusing web/dist)');
  return { url: web.url, ...outcome };
}

function deployedResources(deployment: DeploymentReport): ControlState['resources'] {
  return {
    deployed: deployment.resources.map(({ stackName, logicalId, type, identity }) => ({
      stackName,
      logicalId,
      type,
      physicalId: identity.ref,
    })),
    skipped: deployment.skipped,
    accepted: deployment.accepted,
  };
}

/**
 * The origins the API's CORS allows locally: the template's (WebOrigins' default: the configured dev
 * origins) and the local web server's, by both loopback names.
 */
function webOrigins(stacks: ReturnType<typeof readAssembly>, webUrl: string | undefined): string[] {
  const defaults = stacks.flatMap((stack) => {
    const value = stack.template.Parameters?.WebOrigins?.Default;
    return typeof value === 'string' ? value.split(',').map((origin) => origin.trim()) : [];
  });
  const local = webUrl ? [webUrl, webUrl.replace('//127.0.0.1:', '//localhost:')] : [];
  return [...new Set([...local, ...defaults])].filter((origin) => origin !== '');
}
