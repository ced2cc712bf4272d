/**
 * The local cloud's own endpoints on the edge:
 * - `GET /_aurora/clock` → `{"now": ISO-8601, "mode"}`; `POST /_aurora/clock` with `{"advanceBy": "PT15M"}` or
 *   `{"set": "<instant>"}` moves it (forward only) and answers the new time.
 * - `GET /_aurora/health` → 200 with each service's status once everything is ready, 503 before.
 * - `GET /_aurora/resources` → what was deployed and what was skipped.
 * - `GET /_aurora` → an index page linking the local consoles.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Clock, parseIsoDuration } from '../clock';
import { escapeHtml, shell } from '../console/html';
import type { HttpService } from '../edge/contracts';
import { sendHttpReply } from '../edge/http-reply';

export interface ControlState {
  ready: boolean;
  services: Record<string, 'starting' | 'ready' | string>;
  resources: unknown;
}

const problem = (response: ServerResponse, status: number, message: string) =>
  sendHttpReply(response, status, { message });

function parseClockChange(body: Buffer, clock: Clock): number {
  let request: unknown;
  try {
    request = JSON.parse(body.toString('utf8') || '{}');
  } catch {
    throw new RangeError('Body must be JSON: {"advanceBy": "PT15M"} or {"set": "2026-11-22T09:00:00Z"}');
  }
  const { advanceBy, set } = (request ?? {}) as { advanceBy?: unknown; set?: unknown };
  if (typeof advanceBy === 'string' && set === undefined) return clock.now() + parseIsoDuration(advanceBy);
  if (typeof set === 'string' && advanceBy === undefined) {
    const instant = Date.parse(set);
    if (Number.isNaN(instant) || !/^\d{4}-\d{2}-\d{2}T/.test(set)) {
      throw new RangeError(`"${set}" is not an ISO-8601 instant`);
    }
    return instant;
  }
  throw new RangeError(
    'Give exactly one of "advanceBy" (an ISO-8601 duration) or "set" (an ISO-8601 instant)',
  );
}

/** Each local console: where, its name, what it is for. */
const INDEX_LINKS: ReadonlyArray<readonly [string, string, string]> = [
  ['/_aurora/messenger', 'Messenger chat', 'talk to the bot as a user'],
  ['/_aurora/console', 'Step Functions console', 'executions, history, redrive'],
  ['/_aurora/ses', 'SES inbox', 'mail the system sent'],
  ['/_aurora/messenger/sent', 'Messenger sent', 'what went through the Graph API stand-in (JSON)'],
  ['/_aurora/resources', 'Resources', 'what was deployed, skipped and accepted (JSON)'],
  ['/_aurora/health', 'Health', 'each service’s status (JSON)'],
  ['/_aurora/clock', 'Clock', 'the local cloud’s time and mode (JSON)'],
];

/** The index page, in the console's look. */
function indexPage(clockNow: string): string {
  const items = INDEX_LINKS.map(
    ([href, name, what]) => `<li><a href="${href}">${name}<span class="what">${what}</span></a></li>`,
  ).join('');
  return shell(
    'Aurora Time — local cloud',
    '<a href="/_aurora">Aurora Time · local cloud</a>',
    `<h1>Local consoles</h1><p class="count">Clock: ${escapeHtml(clockNow)}</p><ul class="links">${items}</ul>`,
  );
}

export function controlService(clock: Clock, state: ControlState): HttpService {
  const clockView = () => ({ now: clock.nowIso(), mode: clock.mode });
  return {
    protocol: 'http',
    // The edge tries longer prefixes (the SES inbox, the console, ...) first; the rest of /_aurora is ours.
    pathPrefixes: ['/_aurora'],
    handle: (request: IncomingMessage, response: ServerResponse, body: Buffer): void => {
      const path = new URL(request.url ?? '/', 'http://edge').pathname.replace(/\/$/, '');
      const route = `${request.method ?? 'GET'} ${path}`;
      switch (route) {
        case 'GET /_aurora/clock':
          sendHttpReply(response, 200, clockView());
          break;
        case 'POST /_aurora/clock':
          try {
            clock.set(parseClockChange(body, clock));
            sendHttpReply(response, 200, clockView());
          } catch (error) {
            problem(response, 400, (error as Error).message);
          }
          break;
        case 'GET /_aurora/health':
          sendHttpReply(response, state.ready ? 200 : 503, { ready: state.ready, services: state.services });
          break;
        case 'GET /_aurora/resources':
          sendHttpReply(response, 200, state.resources);
          break;
        case 'GET /_aurora':
          response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          response.end(indexPage(clock.nowIso()));
          break;
        default:
          problem(response, 404, `No local endpoint ${route}`);
      }
    },
  };
}
