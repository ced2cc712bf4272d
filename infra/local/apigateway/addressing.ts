/**
 * Which API and stage a local request is for. On AWS every API has its own host
 * (`{apiId}.execute-api.{region}.amazonaws.com`) and a REST API's path starts with the stage. Locally, in
 * this order (LocalStack uses the first two forms too):
 *
 * 1. `Host: {apiId}.execute-api.<anything>`: that API; for a REST API the first path segment is the stage;
 *    for an HTTP API it is a stage when it names one, else the `$default` stage serves the whole path.
 * 2. `/restapis/{apiId}/{stage}/_user_request_/{path}`: that API and stage (HTTP APIs too, e.g. `$default`).
 * 3. Anything else is served from the root: every HTTP API (its `$default` stage, or `/{stage}/...` for a
 *    named stage) and, when the template has exactly one REST API, that API, both as `/{stage}/{path}` and,
 *    for convenience, as `/{path}` on its first stage. The first candidate whose routes match wins:
 *    REST with an explicit stage, then HTTP APIs, then REST without the stage.
 */
import type { ApiModel, Stage } from './model';
import { type RouteTable, safeDecode } from './routing';

export interface ServedApi {
  readonly model: ApiModel;
  readonly routes: RouteTable;
}

export interface Candidate {
  readonly api: ServedApi;
  readonly stage: Stage;
  /** The path after the stage, percent-encoded, starting with `/`. */
  readonly rawPath: string;
}

const USER_REQUEST = /^\/restapis\/([^/]+)\/([^/]+)\/_user_request_(\/.*)?$/;
const EXECUTE_API_HOST = /^([^.]+)\.execute-api\./i;

function firstSegment(rawPath: string): { segment: string; rest: string } {
  const match = /^\/([^/]*)(\/.*)?$/.exec(rawPath);
  return { segment: safeDecode(match?.[1] ?? ''), rest: match?.[2] ?? '/' };
}

/** A stage named by the first path segment, or (for HTTP APIs) the `$default` stage with the whole path. */
function staged(api: ServedApi, rawPath: string, allowDefault: boolean): Candidate | undefined {
  const { segment, rest } = firstSegment(rawPath);
  const named = api.model.stages.find((stage) => stage.name === segment && stage.name !== '$default');
  if (named) return { api, stage: named, rawPath: rest };
  const fallback = api.model.stages.find((stage) => stage.name === '$default');
  return allowDefault && fallback ? { api, stage: fallback, rawPath } : undefined;
}

export function candidatesFor(apis: readonly ServedApi[], host: string, rawPath: string): Candidate[] {
  const hostApiId = EXECUTE_API_HOST.exec(host)?.[1];
  const byHost = hostApiId === undefined ? undefined : apis.find((api) => api.model.id === hostApiId);
  if (byHost) {
    const candidate = staged(byHost, rawPath, byHost.model.kind === 'http');
    return candidate ? [candidate] : [];
  }

  const userRequest = USER_REQUEST.exec(rawPath);
  if (userRequest) {
    const [, apiId, stageName, path = '/'] = userRequest;
    const api = apis.find((served) => served.model.id === apiId);
    const stage = api?.model.stages.find((candidate) => candidate.name === safeDecode(stageName ?? ''));
    return api && stage ? [{ api, stage, rawPath: path }] : [];
  }

  const restApis = apis.filter((api) => api.model.kind === 'rest');
  const soleRest = restApis.length === 1 ? restApis[0] : undefined;
  const candidates: (Candidate | undefined)[] = [
    soleRest && staged(soleRest, rawPath, false),
    ...apis.filter((api) => api.model.kind === 'http').map((api) => staged(api, rawPath, true)),
    soleRest?.model.stages[0] && { api: soleRest, stage: soleRest.model.stages[0], rawPath },
  ];
  return candidates.filter((candidate) => candidate !== undefined);
}
