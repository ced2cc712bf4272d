/**
 * Records the raw HTTP responses an SDK v3 client receives: a middleware placed right after the
 * deserializer (so nearer the wire than it) reads the body, keeps a copy and hands the deserializer a fresh
 * stream with the same bytes. Errors are recorded too, with their status.
 */
import { Readable } from 'node:stream';

export interface RecordedResponse {
  /** The key of the service model the client speaks, e.g. `dynamodb`. */
  readonly service: string;
  /** The operation, e.g. `CreateTable` (the command name without `Command`). */
  readonly operation: string;
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

interface TappedResponse {
  statusCode: number;
  headers: Record<string, string | undefined>;
  body: unknown;
}

type Handler = (args: object) => Promise<{ response: unknown; output?: unknown }>;

/** The part of an SDK v3 client's middleware stack the tap uses (typed loosely: one tap fits every client). */
interface TapStack {
  addRelativeTo(
    middleware: (next: Handler, context: { commandName?: string }) => Handler,
    options: { relation: 'after'; toMiddleware: string; name: string },
  ): void;
}

function isTapped(response: unknown): response is TappedResponse {
  return (
    typeof response === 'object' &&
    response !== null &&
    typeof (response as { statusCode?: unknown }).statusCode === 'number'
  );
}

async function readBody(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (typeof body === 'string') return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** Taps `client`; every response it receives is pushed onto `into`. Returns the client. */
export function tapResponses<C extends { readonly middlewareStack: object }>(
  client: C,
  service: string,
  into: RecordedResponse[],
): C {
  (client.middlewareStack as TapStack).addRelativeTo(
    (next, context) => async (args) => {
      const result = await next(args);
      const response = result.response;
      if (isTapped(response)) {
        const bytes = await readBody(response.body);
        response.body = Readable.from([bytes]);
        into.push({
          service,
          operation: (context.commandName ?? 'Unknown').replace(/Command$/, ''),
          statusCode: response.statusCode,
          headers: { ...response.headers },
          body: bytes.toString('utf8'),
        });
      }
      return result;
    },
    { relation: 'after', toMiddleware: 'deserializerMiddleware', name: 'rawResponseTap' },
  );
  return client;
}
