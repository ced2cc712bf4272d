/**
 * The pieces of routing that do not need a server: reading the SigV4 credential scope and matching restJson1
 * path templates. Templates are split once, at registration, so a request costs one split of its path.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { RestRoute } from './contracts';

export interface CredentialScope {
  readonly region: string;
  readonly service: string;
}

/**
 * The `region/service` of `Credential=AKID/20240101/eu-west-1/sqs/aws4_request`, from the Authorization header
 * or, for a presigned URL, the X-Amz-Credential query parameter. The signature itself is not checked (local).
 */
export function credentialScope(headers: IncomingHttpHeaders, query: string): CredentialScope | undefined {
  const authorization = headers.authorization;
  if (authorization) {
    const start = authorization.indexOf('Credential=');
    if (start === -1) return undefined;
    const end = authorization.indexOf(',', start);
    return scopeOf(authorization.slice(start + 'Credential='.length, end === -1 ? undefined : end).trim());
  }
  if (!query.includes('X-Amz-Credential=')) return undefined;
  const credential = new URLSearchParams(query).get('X-Amz-Credential');
  return credential ? scopeOf(credential) : undefined;
}

function scopeOf(credential: string): CredentialScope | undefined {
  // AKID/date/region/service/aws4_request; the key id cannot contain '/', so index from the end.
  const parts = credential.split('/');
  const region = parts[parts.length - 3];
  const service = parts[parts.length - 2];
  return parts.length >= 5 && region && service ? { region, service } : undefined;
}

type Segment = { readonly literal: string } | { readonly parameter: string; readonly greedy: boolean };

export interface CompiledRoute {
  readonly route: RestRoute;
  readonly segments: readonly Segment[];
}

export function compileRoute(route: RestRoute): CompiledRoute {
  const [path = ''] = route.path.split('?');
  const segments = path
    .split('/')
    .slice(1)
    .map((part): Segment => {
      if (!part.startsWith('{') || !part.endsWith('}')) return { literal: part };
      const greedy = part.endsWith('+}');
      return { parameter: part.slice(1, greedy ? -2 : -1), greedy };
    });
  return { route, segments };
}

export interface RouteMatch {
  readonly route: RestRoute;
  readonly params: Record<string, string>;
}

/** The first route whose method and template match `path` (without its query string). */
export function matchRoute(
  routes: readonly CompiledRoute[],
  method: string,
  path: string,
): RouteMatch | undefined {
  const parts = path.split('/').slice(1);
  for (const compiled of routes) {
    if (compiled.route.method !== method) continue;
    const params = matchSegments(compiled.segments, parts);
    if (params) return { route: compiled.route, params };
  }
  return undefined;
}

function matchSegments(
  segments: readonly Segment[],
  parts: readonly string[],
): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index];
    const part = parts[index];
    if (!segment || part === undefined) return undefined;
    if ('literal' in segment) {
      if (segment.literal !== part) return undefined;
      continue;
    }
    if (segment.greedy) {
      const rest = parts.slice(index).join('/');
      if (!rest) return undefined;
      params[segment.parameter] = decodeLabel(rest);
      return params;
    }
    if (!part) return undefined;
    params[segment.parameter] = decodeLabel(part);
  }
  return segments.length === parts.length ? params : undefined;
}

function decodeLabel(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
