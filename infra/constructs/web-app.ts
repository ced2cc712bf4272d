/**
 * How the single-page app is served, in one place for both ways it runs: CloudFront (the WebStack's
 * response headers policy, viewer-request function and object metadata) and the local web server
 * (infra/local/web/server.ts) send the same headers and route the same paths.
 */

/** Two years, the value the HSTS preload list asks for. */
export const HSTS_MAX_AGE_SECONDS = 2 * 365 * 24 * 3600;
export const REFERRER_POLICY = 'strict-origin-when-cross-origin';
export const PERMISSIONS_POLICY = 'camera=(), microphone=(), geolocation=(), payment=()';

/** Vite names the files under assets/ by content hash, so a given URL never changes. */
export const ASSETS_PREFIX = 'assets/';
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** index.html and config.json name the current build: always revalidated. */
export const SHELL_CACHE_CONTROL = 'no-cache';

/**
 * FullCalendar (v6) styles itself by inserting an empty <style> element and filling it through CSSOM
 * (insertRule, which CSP does not govern): allowing the hash of empty content admits that element and no
 * other inline style.
 */
export const EMPTY_INLINE_STYLE = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='";

/**
 * The app loads only its own files and calls only its own origin and the API. No inline script, and no
 * inline style but the empty one above: Vite emits scripts and styles as files.
 */
export function contentSecurityPolicy(apiOrigin: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self' ${EMPTY_INLINE_STYLE}`,
    "img-src 'self' data:",
    // FullCalendar's icon font is a data: URI in its injected CSS.
    "font-src 'self' data:",
    `connect-src 'self' ${apiOrigin}`,
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Every response's security headers, as CloudFront's ResponseHeadersPolicy renders them. */
export function securityHeaders(apiOrigin: string): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(apiOrigin),
    'Strict-Transport-Security': `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': REFERRER_POLICY,
    'Permissions-Policy': PERMISSIONS_POLICY,
  };
}

/**
 * A path whose last segment has no dot is one of the app's own routes (/week, /events/42): the shell
 * answers it and the app's router takes over. A path with an extension is a file, and a missing one is a
 * 404, never the shell, so a stale chunk fails loudly instead of being parsed as HTML.
 */
export function isAppRoute(pathname: string): boolean {
  return !pathname.slice(pathname.lastIndexOf('/') + 1).includes('.');
}

/** The same rule as a CloudFront Function (cloudfront-js-2.0, viewer request), before the cache lookup. */
export const APP_ROUTE_FUNCTION = `function handler(event) {
  var request = event.request;
  var last = request.uri.substring(request.uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) request.uri = '/index.html';
  return request;
}`;
