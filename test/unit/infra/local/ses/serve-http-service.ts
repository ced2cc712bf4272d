/**
 * Serves one HttpService on an ephemeral local port, the way the edge hands it requests (body already read),
 * so that a service can be tested with real HTTP clients and AWS SDK clients before or without the edge.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpService } from '../../../../../infra/local/edge/contracts';

export interface ServedService {
  readonly url: string;
  close(): Promise<void>;
}

export async function serveHttpService(service: HttpService): Promise<ServedService> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      Promise.resolve(service.handle(request, response, Buffer.concat(chunks))).catch((error: unknown) => {
        response.writeHead(500).end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
