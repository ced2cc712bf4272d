/**
 * HTTP API CORS (the Api's CorsConfiguration): API Gateway answers preflight requests itself, without
 * calling a route, and on other responses replaces whatever CORS headers the integration sent with its own.
 */
import { type GatewayRequest, headerValue } from './events';
import type { CorsConfiguration } from './model';
import type { HttpResponse } from './responses';

export function isPreflight(request: GatewayRequest): boolean {
  return (
    request.method === 'OPTIONS' &&
    headerValue(request, 'origin') !== undefined &&
    headerValue(request, 'access-control-request-method') !== undefined
  );
}

function originAllowed(origin: string, cors: CorsConfiguration): boolean {
  return cors.allowOrigins.some((allowed) => {
    if (allowed === '*') return true;
    const pattern = allowed
      .toLowerCase()
      .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      .replaceAll('*', '[^/]*');
    return new RegExp(`^${pattern}$`).test(origin.toLowerCase());
  });
}

function allowOriginValue(origin: string, cors: CorsConfiguration): string {
  return cors.allowOrigins.includes('*') && !cors.allowCredentials ? '*' : origin;
}

export function preflightResponse(request: GatewayRequest, cors: CorsConfiguration): HttpResponse {
  const origin = headerValue(request, 'origin') ?? '';
  const method = (headerValue(request, 'access-control-request-method') ?? '').toUpperCase();
  const methodAllowed = cors.allowMethods.includes('*') || cors.allowMethods.includes(method);
  const headers: [string, string][] = [];
  if (originAllowed(origin, cors) && methodAllowed) {
    headers.push(['Access-Control-Allow-Origin', allowOriginValue(origin, cors)]);
    headers.push(['Access-Control-Allow-Methods', cors.allowMethods.join(',')]);
    const requested = headerValue(request, 'access-control-request-headers');
    const allowHeaders =
      cors.allowHeaders.includes('*') && requested ? requested : cors.allowHeaders.join(',');
    if (allowHeaders) headers.push(['Access-Control-Allow-Headers', allowHeaders]);
    if (cors.allowCredentials) headers.push(['Access-Control-Allow-Credentials', 'true']);
    if (cors.maxAgeSeconds !== undefined)
      headers.push(['Access-Control-Max-Age', String(cors.maxAgeSeconds)]);
  }
  return { statusCode: 204, headers, body: Buffer.alloc(0) };
}

export function withCorsHeaders(
  request: GatewayRequest,
  cors: CorsConfiguration,
  response: HttpResponse,
): HttpResponse {
  const headers = response.headers.filter(([name]) => !name.toLowerCase().startsWith('access-control-'));
  const origin = headerValue(request, 'origin');
  if (origin !== undefined && originAllowed(origin, cors)) {
    headers.push(['Access-Control-Allow-Origin', allowOriginValue(origin, cors)]);
    if (cors.allowCredentials) headers.push(['Access-Control-Allow-Credentials', 'true']);
    if (cors.exposeHeaders.length > 0)
      headers.push(['Access-Control-Expose-Headers', cors.exposeHeaders.join(',')]);
  }
  return { ...response, headers };
}
