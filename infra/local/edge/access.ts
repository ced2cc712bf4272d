/**
 * Who may reach the edge from a browser. The control plane (`/_aurora...`: the clock, the SES inbox and its
 * one-time codes, the secrets, the consoles) answers CORS only for the local consoles' own origins and the
 * local web app's, and refuses a request from any other origin before it acts: a simple cross-site POST
 * (text/plain, a form) needs no preflight, so leaving out the CORS headers would not stop it. The AWS API
 * paths (where signatures are not checked, so a page could read the secrets) answer browsers' SDK clients
 * from pages of this machine (loopback origins) and refuse any other site's. On every path, a Host header
 * that does not name this edge is refused: a DNS-rebinding page would otherwise be the edge's "same origin".
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';

/** Every path the edge routes to a `/_aurora` service starts so (the same test the router makes). */
export const CONTROL_PLANE_PREFIX = '/_aurora';

const LOOPBACK_HOSTNAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** A name (or bracketed IPv6 address) and an optional port: nothing else may be in a Host header. */
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i;
/** Listening on every interface: any address of this machine may be in the Host, but no DNS name. */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::']);

export type AccessVerdict =
  | { readonly allowed: true; readonly corsOrigin: string | undefined }
  | { readonly allowed: false; readonly reason: string };

export class EdgeAccess {
  private port: number | undefined;
  private readonly origins = new Set<string>();
  private readonly listenHostname: string;

  /** `listenHost` as configured: a non-loopback one was chosen on purpose, so it is a name of the edge. */
  constructor(private readonly listenHost: string) {
    this.listenHostname = listenHost.includes(':') ? `[${listenHost}]` : listenHost.toLowerCase();
  }

  /** The edge's own origins follow from the port it got. Requests before this are refused. */
  listeningOn(port: number): void {
    this.port = port;
    this.allowOrigins([`http://127.0.0.1:${port}`]);
    if (!WILDCARD_HOSTS.has(this.listenHost)) this.allowOrigins([`http://${this.listenHostname}:${port}`]);
  }

  /** Lets pages served at these URLs (their origins, by every loopback name) use the control plane. */
  allowOrigins(urls: readonly string[]): void {
    for (const url of urls) {
      const { protocol, hostname, port } = new URL(url);
      const names = LOOPBACK_HOSTNAMES.has(hostname) ? [...LOOPBACK_HOSTNAMES] : [hostname];
      for (const name of names) this.origins.add(`${protocol}//${name}${port ? `:${port}` : ''}`);
    }
  }

  /** Whether the request may go on, and (on the control plane) the origin its CORS headers name. */
  check(request: IncomingMessage, path: string): AccessVerdict {
    const host = request.headers.host;
    if (!this.isEdgeHost(host)) {
      return { allowed: false, reason: `Host ${JSON.stringify(host ?? '')} does not name this local edge` };
    }
    const origin = request.headers.origin;
    if (origin === undefined) return { allowed: true, corsOrigin: undefined };
    if (!path.startsWith(CONTROL_PLANE_PREFIX)) {
      return isLoopbackOrigin(origin)
        ? { allowed: true, corsOrigin: origin }
        : { allowed: false, reason: `Origin ${origin} may not call the local AWS APIs` };
    }
    // A page of the edge itself under any name it answers to (the Host was checked above) is same-origin.
    if (this.origins.has(origin.toLowerCase()) || origin.toLowerCase() === `http://${host?.toLowerCase()}`) {
      return { allowed: true, corsOrigin: origin };
    }
    return { allowed: false, reason: `Origin ${origin} may not use the local control plane` };
  }

  private isEdgeHost(host: string | undefined): boolean {
    const [, name, port = '80'] = HOST_HEADER.exec(host ?? '') ?? [];
    if (name === undefined || Number(port) !== this.port) return false;
    const hostname = name.toLowerCase();
    return (
      LOOPBACK_HOSTNAMES.has(hostname) ||
      // Names under .localhost are the machine itself (RFC 6761): S3's virtual-hosted `<bucket>.localhost`.
      hostname.endsWith('.localhost') ||
      hostname === this.listenHostname ||
      (WILDCARD_HOSTS.has(this.listenHost) && isIP(hostname.replace(/^\[|\]$/g, '')) !== 0)
    );
  }
}

/** A page of this machine: http(s) on a loopback name or under .localhost, any port. */
function isLoopbackOrigin(origin: string): boolean {
  try {
    const { protocol, hostname } = new URL(origin);
    return (
      (protocol === 'http:' || protocol === 'https:') &&
      (LOOPBACK_HOSTNAMES.has(hostname) || hostname.endsWith('.localhost'))
    );
  } catch {
    return false;
  }
}

/** The control plane's CORS: the one allowed origin, never `*`. */
export function allowControlPlaneCors(
  request: IncomingMessage,
  response: ServerResponse,
  origin: string,
): void {
  response.setHeader('Access-Control-Allow-Origin', origin);
  response.setHeader('Vary', 'Origin');
  allowPreflight(request, response);
}

/** Browser SDK clients (in a page of this machine) send a preflight. */
export function allowAwsApiCors(request: IncomingMessage, response: ServerResponse, origin: string): void {
  response.setHeader('Access-Control-Allow-Origin', origin);
  response.setHeader('Vary', 'Origin');
  response.setHeader('Access-Control-Expose-Headers', 'x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id');
  allowPreflight(request, response);
}

function allowPreflight(request: IncomingMessage, response: ServerResponse): void {
  if (request.method !== 'OPTIONS') return;
  response.setHeader('Access-Control-Allow-Methods', 'GET,POST,PUT,PATCH,DELETE,OPTIONS');
  const requested = request.headers['access-control-request-headers'];
  if (requested) response.setHeader('Access-Control-Allow-Headers', requested);
  response.setHeader('Access-Control-Max-Age', '172800');
}
