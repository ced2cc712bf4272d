/** `POST /auth/otp/request`, `POST /auth/otp/verify` and `POST /auth/token/refresh` on the HTTP API. */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { logger } from '../shared/logger';
import { awsAuthPorts } from './adapters';
import { type AuthPorts, type HttpAnswer, refreshSession, requestCode, verifyCode } from './routes';

const ports = awsAuthPorts();

const ROUTES: Record<string, (body: Record<string, unknown>, ports: AuthPorts) => Promise<HttpAnswer>> = {
  'POST /auth/otp/request': requestCode,
  'POST /auth/otp/verify': verifyCode,
  'POST /auth/token/refresh': refreshSession,
};

function bodyOf(event: APIGatewayProxyEventV2): Record<string, unknown> | undefined {
  if (!event.body) return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export const handler = async (
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyResultV2> => {
  logger.addContext(context);
  const route = ROUTES[event.routeKey];
  const body = bodyOf(event);
  const answer: HttpAnswer = !route
    ? { status: 404, body: { error: 'NotFound', message: `No route ${event.routeKey}` } }
    : !body
      ? { status: 400, body: { error: 'InvalidJson', message: 'The body must be a JSON object.' } }
      : await route(body, ports);
  // Status and route only: never the address, the code or a token.
  logger.info('auth call', { route: event.routeKey, status: answer.status, outcome: answer.body.status });
  return {
    statusCode: answer.status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...answer.headers },
    body: JSON.stringify(answer.body),
  };
};
