/** A CORS preflight as a browser sends it before a cross-origin request. */

/** The OPTIONS request a page of `origin` sends before calling `url` with `method` and, if any, `headers`. */
export function preflight(
  url: string,
  request: { origin: string; method: string; headers?: string },
): Promise<Response> {
  return fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin: request.origin,
      'access-control-request-method': request.method,
      ...(request.headers === undefined ? {} : { 'access-control-request-headers': request.headers }),
    },
  });
}
