/**
 * Picks the route for a request the way API Gateway does: the most specific path wins (a literal segment
 * beats `{param}`, which beats greedy `{proxy+}`), then an exact method beats ANY; an HTTP API's `$default`
 * route takes whatever nothing else matched. Greedy variables need at least one segment.
 */
import type { Route } from './model';

type Segment =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'greedy'; readonly name: string };

interface CompiledRoute {
  readonly route: Route;
  readonly segments: readonly Segment[];
}

export interface RouteMatch {
  readonly route: Route;
  /** URI-decoded values of the path's variables. */
  readonly pathParameters: Readonly<Record<string, string>>;
}

const SPECIFICITY: Readonly<Record<Segment['kind'], number>> = { literal: 3, param: 2, greedy: 1 };

export class RouteTable {
  private readonly routes: readonly CompiledRoute[];
  private readonly defaultRoute: Route | undefined;

  constructor(routes: readonly Route[]) {
    this.defaultRoute = routes.find((route) => route.path === '$default');
    this.routes = routes
      .filter((route) => route.path !== '$default')
      .map((route) => ({ route, segments: compile(route.path) }));
  }

  /** `rawPath` is the request path as sent (still percent-encoded), without any stage prefix. */
  match(method: string, rawPath: string): RouteMatch | undefined {
    const requestSegments = splitPath(rawPath);
    let best: { compiled: CompiledRoute; pathParameters: Record<string, string> } | undefined;
    for (const compiled of this.routes) {
      if (compiled.route.method !== method && compiled.route.method !== 'ANY') continue;
      const pathParameters = matchSegments(compiled.segments, requestSegments);
      if (pathParameters && (!best || compare(compiled, best.compiled) > 0))
        best = { compiled, pathParameters };
    }
    if (best) return { route: best.compiled.route, pathParameters: best.pathParameters };
    return this.defaultRoute ? { route: this.defaultRoute, pathParameters: {} } : undefined;
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function compile(path: string): Segment[] {
  return splitPath(path).map((segment): Segment => {
    const variable = /^\{([^}+]+)(\+?)\}$/.exec(segment);
    if (!variable?.[1]) return { kind: 'literal', value: safeDecode(segment) };
    return variable[2] ? { kind: 'greedy', name: variable[1] } : { kind: 'param', name: variable[1] };
  });
}

function matchSegments(
  segments: readonly Segment[],
  requestSegments: readonly string[],
): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  for (const [index, segment] of segments.entries()) {
    const actual = requestSegments[index];
    if (actual === undefined) return undefined;
    if (segment.kind === 'greedy') {
      parameters[segment.name] = requestSegments.slice(index).map(safeDecode).join('/');
      return parameters;
    }
    const decoded = safeDecode(actual);
    if (segment.kind === 'literal' && segment.value !== decoded) return undefined;
    if (segment.kind === 'param') parameters[segment.name] = decoded;
  }
  return segments.length === requestSegments.length ? parameters : undefined;
}

/** Positive when `a` is the more specific route. */
function compare(a: CompiledRoute, b: CompiledRoute): number {
  const length = Math.max(a.segments.length, b.segments.length);
  for (let index = 0; index < length; index++) {
    const left = a.segments[index];
    const right = b.segments[index];
    const difference = (left ? SPECIFICITY[left.kind] : 0) - (right ? SPECIFICITY[right.kind] : 0);
    if (difference !== 0) return difference;
  }
  return Number(a.route.method !== 'ANY') - Number(b.route.method !== 'ANY');
}

export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
