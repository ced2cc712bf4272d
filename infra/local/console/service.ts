/**
 * The ops console at `/_aurora/console` on the edge: state machines, their executions by status, and for
 * one execution its graph (path taken, failing state marked), its event history and a Redrive button.
 *
 * - `GET  /_aurora/console`                                   state machines with execution counts by status
 * - `GET  /_aurora/console/state-machine?arn=…&status=…&q=…` executions of one machine: one status, a search
 * - `GET  /_aurora/console/execution?arn=…&page=…`           one execution, its history folded by state, paged
 * - `POST /_aurora/console/redrive` (form `executionArn=…`)  RedriveExecution, then back to the execution
 *   with a notice that it runs again
 *
 * Every page can refresh itself live (on by default where something runs) and links back to /_aurora.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsServiceError, type HttpService } from '../edge/contracts';
import type { HistoryEvent } from '../stepfunctions/engine/history';
import type { StepFunctionsService } from '../stepfunctions/service';
import type { ExecutionRecord } from '../stepfunctions/store';
import { executionPath } from './execution-path';
import { renderGraph } from './graph';
import { foldByState, type HistoryGroup } from './history-groups';
import { escapeHtml, isoTime, page } from './html';

export const CONSOLE_PATH = '/_aurora/console';
const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;
const REDRIVABLE = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);
/** State visits per page of an execution's history. */
const HISTORY_PAGE_SIZE = 25;

type ConsoleSource = Pick<
  StepFunctionsService,
  'listStateMachines' | 'listExecutions' | 'getExecution' | 'redriveExecution'
>;

interface Answer {
  readonly status: number;
  readonly html?: string;
  readonly location?: string;
}

const link = (path: string, parameters: Record<string, string>) =>
  `${CONSOLE_PATH}${path}?${new URLSearchParams(parameters).toString()}`;
const executionLink = (arn: string, extra: Record<string, string> = {}) =>
  link('/execution', { arn, ...extra });
const statusBadge = (status: string) =>
  `<span class="status ${escapeHtml(status)}">${escapeHtml(status)}</span>`;
const notFound = (what: string): Answer => ({
  status: 404,
  html: page('Not found', `<h1>Not found</h1><p>${escapeHtml(what)}</p>`),
});

function machinesPage(source: ConsoleSource): Answer {
  const rows = source.listStateMachines().map((machine) => {
    const executions = source.listExecutions(machine.stateMachineArn);
    const counts = STATUSES.map((status) => {
      const count = executions.filter((execution) => execution.status === status).length;
      const href = link('/state-machine', { arn: machine.stateMachineArn, status });
      return `<td><a href="${escapeHtml(href)}">${count}</a></td>`;
    }).join('');
    const href = link('/state-machine', { arn: machine.stateMachineArn });
    return `<tr data-machine="${escapeHtml(machine.name)}"><td><a href="${escapeHtml(href)}">${escapeHtml(machine.name)}</a></td><td>${escapeHtml(machine.type)}</td>${counts}</tr>`;
  });
  const header = STATUSES.map((status) => `<th>${escapeHtml(status)}</th>`).join('');
  const body = rows.length
    ? `<table><thead><tr><th>State machine</th><th>Type</th>${header}</tr></thead><tbody>${rows.join('')}</tbody></table>`
    : '<p>No state machines yet.</p>';
  return { status: 200, html: page('State machines', `<h1>State machines</h1>${body}`, { live: true }) };
}

function executionsPage(
  source: ConsoleSource,
  arn: string,
  status: string | undefined,
  query: string,
): Answer {
  const machine = source.listStateMachines().find((candidate) => candidate.stateMachineArn === arn);
  if (!machine) return notFound(`No state machine ${arn}`);
  const filter = status && (STATUSES as readonly string[]).includes(status) ? status : undefined;
  const search = query.trim().toLowerCase();
  const tabs = [undefined, ...STATUSES]
    .map((tab) => {
      const href = link('/state-machine', {
        arn,
        ...(tab ? { status: tab } : {}),
        ...(search ? { q: query } : {}),
      });
      const current = tab === filter ? ' class="current"' : '';
      return `<a href="${escapeHtml(href)}"${current}>${escapeHtml(tab ?? 'All')}</a>`;
    })
    .join('');
  const listed = source.listExecutions(arn, filter);
  const shown = search
    ? listed.filter(
        (execution) =>
          execution.name.toLowerCase().includes(search) || execution.executionArn === query.trim(),
      )
    : listed;
  const searchForm = `<form class="filters" method="get" action="${CONSOLE_PATH}/state-machine"><input type="hidden" name="arn" value="${escapeHtml(arn)}">${filter ? `<input type="hidden" name="status" value="${escapeHtml(filter)}">` : ''}<input type="search" id="search" name="q" value="${escapeHtml(query)}" placeholder="Search executions by name or ARN"><button type="submit">Search</button><span class="count" id="count">${shown.length} of ${listed.length} executions</span></form>`;
  const rows = shown.map(
    (execution) =>
      `<tr data-execution="${escapeHtml(execution.name)}" data-status="${escapeHtml(execution.status)}"><td><a href="${escapeHtml(executionLink(execution.executionArn))}">${escapeHtml(execution.name)}</a></td><td>${statusBadge(execution.status)}</td><td>${escapeHtml(isoTime(execution.startDate))}</td><td>${escapeHtml(isoTime(execution.stopDate))}</td><td>${execution.redriveCount}</td></tr>`,
  );
  const table = rows.length
    ? `<table><thead><tr><th>Execution</th><th>Status</th><th>Started</th><th>Ended</th><th>Redrives</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
    : '<p>No executions.</p>';
  return {
    status: 200,
    html: page(
      machine.name,
      `<h1>${escapeHtml(machine.name)}</h1><p><code>${escapeHtml(arn)}</code></p><p class="tabs">${tabs}</p>${searchForm}${table}`,
      { live: true },
    ),
  };
}

/** One line that says what an event carries, beside the full JSON. */
function eventSummary(event: HistoryEvent): string {
  const details = Object.entries(event).find(([key]) => key.endsWith('EventDetails'))?.[1];
  if (details === null || typeof details !== 'object') return '';
  const { name, error, cause, resource, resourceType } = details as Record<string, unknown>;
  return [name, resourceType && resource ? `${resourceType}:${resource}` : undefined, error, cause]
    .filter((part) => typeof part === 'string' && part !== '')
    .join(' · ');
}

function eventRows(events: readonly HistoryEvent[]): string {
  return events
    .map(
      (event) =>
        `<tr data-event-type="${escapeHtml(event.type)}"><td>${event.id}</td><td>${escapeHtml(event.type)}</td><td>${escapeHtml(isoTime(event.timestamp))}</td><td>${escapeHtml(eventSummary(event))}<details data-key="e${event.id}"><summary>JSON</summary><pre>${escapeHtml(JSON.stringify(event, null, 2))}</pre></details></td></tr>`,
    )
    .join('');
}

function historyGroup(group: HistoryGroup<HistoryEvent>): string {
  const first = group.events[0];
  const last = group.events.at(-1);
  const took = first && last ? formatDuration(last.timestamp - first.timestamp) : '';
  const count = `${group.events.length} ${group.events.length === 1 ? 'event' : 'events'}`;
  const iteration = group.iteration === undefined ? '' : String(group.iteration);
  const attributes = [
    `class="group${group.failed ? ' failed' : ''}"`,
    `data-key="g${first?.id ?? 0}"`,
    `data-state="${escapeHtml(group.name)}"`,
    iteration ? `data-iteration="${iteration}"` : '',
    `style="margin-left:${group.depth * 20}px"`,
    // A failed state opens by itself: it is what a reader came for.
    group.failed ? 'open' : '',
  ].filter(Boolean);
  const summary = [
    `<strong>${escapeHtml(group.name)}</strong>`,
    iteration ? `<span class="kind iteration">iteration ${iteration}</span>` : '',
    `<span class="kind">${escapeHtml(group.kind)}</span>`,
    `<span class="meta">${count} · ${took}</span>`,
    group.failed ? `<span class="meta">failed: ${escapeHtml(groupError(group))}</span>` : '',
  ].join('');
  return `<details ${attributes.join(' ')}><summary>${summary}</summary><table class="history"><thead><tr><th>#</th><th>Type</th><th>Time</th><th>Details</th></tr></thead><tbody>${eventRows(group.events)}</tbody></table></details>`;
}

function groupError(group: HistoryGroup<HistoryEvent>): string {
  for (const event of group.events) {
    const details = Object.entries(event).find(([key]) => key.endsWith('EventDetails'))?.[1] as
      | { error?: unknown }
      | undefined;
    if (typeof details?.error === 'string') return details.error;
  }
  return '';
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The history folded by state, one page of state visits at a time, with links to the others. */
function historySection(arn: string, events: readonly HistoryEvent[], requestedPage: number): string {
  const groups = foldByState(events);
  const pages = Math.max(1, Math.ceil(groups.length / HISTORY_PAGE_SIZE));
  const current = Math.min(Math.max(1, requestedPage), pages);
  const start = (current - 1) * HISTORY_PAGE_SIZE;
  const shown = groups.slice(start, start + HISTORY_PAGE_SIZE);
  const pageLink = (target: number, label: string, rel: string) =>
    target >= 1 && target <= pages && target !== current
      ? `<a rel="${rel}" href="${escapeHtml(executionLink(arn, { page: String(target) }))}#history">${label}</a>`
      : '';
  const navigation =
    pages > 1
      ? `<p class="pages">${pageLink(current - 1, '← Earlier', 'prev')}<span id="history-page">States ${start + 1}–${start + shown.length} of ${groups.length} · page ${current} of ${pages}</span>${pageLink(current + 1, 'Later →', 'next')}</p>`
      : '';
  return `<h2 id="history">Event history (${events.length} events in ${groups.length} state visits)</h2>${navigation}<div class="groups">${shown.map(historyGroup).join('')}</div>${navigation}`;
}

interface ExecutionView {
  readonly problem?: string;
  /** Set just after a redrive from this console: say so. */
  readonly redriven?: boolean;
  readonly historyPage?: number;
}

function executionPage(source: ConsoleSource, arn: string, view: ExecutionView = {}): Answer {
  const { problem, redriven, historyPage = 1 } = view;
  const found = source.getExecution(arn);
  if (!found) return notFound(`No execution ${arn}`);
  const { record, history } = found;
  const machineHref = link('/state-machine', { arn: record.stateMachineArn });
  const redrive =
    REDRIVABLE.has(record.status) && record.type === 'STANDARD'
      ? `<form class="inline" method="post" action="${CONSOLE_PATH}/redrive"><input type="hidden" name="executionArn" value="${escapeHtml(arn)}"><button type="submit" id="redrive">Redrive</button></form>`
      : '';
  const body = [
    problem ? `<div class="error" role="alert">${escapeHtml(problem)}</div>` : '',
    redriven
      ? `<div class="notice" role="status" id="redrive-notice">Redrive ${record.redriveCount} started: the execution runs again from where it failed. This page follows it live.</div>`
      : '',
    `<h1>${escapeHtml(record.name)} ${statusBadge(record.status)} ${redrive}</h1>`,
    `<p>State machine <a href="${escapeHtml(machineHref)}">${escapeHtml(record.stateMachineArn.split(':').at(-1) ?? '')}</a> · started ${escapeHtml(isoTime(record.startDate))}${record.stopDate !== undefined ? ` · ended ${escapeHtml(isoTime(record.stopDate))}` : ''} · redrives ${record.redriveCount}</p>`,
    outcome(record),
    '<h2>Graph</h2>',
    renderGraph(record.definition, executionPath(history, record.status)),
    '<h2>Input</h2>',
    `<pre>${escapeHtml(JSON.stringify(record.input, null, 2))}</pre>`,
    historySection(arn, history, historyPage),
  ];
  return {
    status: problem ? 400 : 200,
    html: page(record.name, body.join(''), { live: record.status === 'RUNNING' || redriven === true }),
  };
}

function outcome(record: ExecutionRecord): string {
  if (record.status === 'SUCCEEDED') {
    return `<h2>Output</h2><pre id="output">${escapeHtml(JSON.stringify(record.output, null, 2))}</pre>`;
  }
  if (record.error === undefined && record.cause === undefined) return '';
  return `<h2>Error</h2><p id="error"><strong>${escapeHtml(record.error ?? '')}</strong></p><pre>${escapeHtml(record.cause ?? '')}</pre>`;
}

function redrive(source: ConsoleSource, body: Buffer): Answer {
  const executionArn = new URLSearchParams(body.toString('utf8')).get('executionArn') ?? '';
  try {
    source.redriveExecution(executionArn);
  } catch (error) {
    if (!(error instanceof AwsServiceError)) throw error;
    if (error.code === 'ExecutionDoesNotExist' || error.code === 'InvalidArn') return notFound(error.message);
    return executionPage(source, executionArn, { problem: `${error.code}: ${error.message}` });
  }
  return { status: 303, location: executionLink(executionArn, { redriven: '1' }) };
}

/** A form posted from another site must not redrive anything. */
function sameOrigin(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  if (!origin || origin === 'null') return origin === undefined;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

function route(source: ConsoleSource, request: IncomingMessage, body: Buffer): Answer {
  const url = new URL(request.url ?? '/', 'http://console.local');
  const path = url.pathname.replace(/\/+$/, '');
  const arn = url.searchParams.get('arn') ?? '';
  if (request.method === 'GET') {
    if (path === CONSOLE_PATH) return machinesPage(source);
    if (path === `${CONSOLE_PATH}/state-machine`)
      return executionsPage(
        source,
        arn,
        url.searchParams.get('status') ?? undefined,
        url.searchParams.get('q') ?? '',
      );
    if (path === `${CONSOLE_PATH}/execution`)
      return executionPage(source, arn, {
        redriven: url.searchParams.get('redriven') === '1',
        historyPage: Number(url.searchParams.get('page') ?? '1') || 1,
      });
  }
  if (request.method === 'POST' && path === `${CONSOLE_PATH}/redrive`) {
    if (!sameOrigin(request))
      return { status: 403, html: page('Forbidden', '<h1>Cross-site request refused</h1>') };
    return redrive(source, body);
  }
  return notFound(`${request.method ?? ''} ${url.pathname}`);
}

export function consoleService(source: ConsoleSource): HttpService {
  return {
    protocol: 'http',
    pathPrefixes: [CONSOLE_PATH],
    handle: (request: IncomingMessage, response: ServerResponse, body: Buffer) => {
      const answer = route(source, request, body);
      response.statusCode = answer.status;
      if (answer.location) response.setHeader('location', answer.location);
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.setHeader('cache-control', 'no-store');
      response.setHeader(
        'content-security-policy',
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; form-action 'self'",
      );
      response.end(answer.html ?? '');
    },
  };
}
