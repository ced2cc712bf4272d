/**
 * The API Gateway Lambda authorizer of every session route: `Authorization: Bearer <access token>` from the
 * OTP sign-in, verified (HS256, constant-time, expiry) with the session key. A valid token puts the person
 * in the request context; anything else is refused with 401 ("Unauthorized"), before any route's function
 * runs. The answer is not cached by the gateway, so an expired token stops working at its `exp`.
 */
import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewayRequestSimpleAuthorizerHandlerV2WithContext,
} from 'aws-lambda';
import { verifyToken } from '../shared/auth/jwt';
import { readSecret } from '../shared/clients';
import { required } from '../shared/config';
import { logger } from '../shared/logger';

const sessionKeyId = required('SESSION_KEY_ID');
const BEARER = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;

type SessionContext = { userId: string; email: string; admin: boolean };

export const handler: APIGatewayRequestSimpleAuthorizerHandlerV2WithContext<SessionContext> = async (
  event: APIGatewayRequestAuthorizerEventV2,
  context,
) => {
  logger.addContext(context);
  const token = BEARER.exec(event.headers?.authorization ?? '')?.[1];
  const verification = token
    ? verifyToken(await readSecret(sessionKeyId), token, 'access', Date.now())
    : ({ valid: false, reason: 'no bearer token' } as const);
  if (!verification.valid) {
    // The reason only (malformed, signature, expired): never the token.
    logger.info('session refused', { reason: verification.reason, route: event.routeKey });
    // API Gateway answers 401 for exactly this error message (any other answer would be 403 or 500).
    throw new Error('Unauthorized');
  }
  return {
    isAuthorized: true,
    context: {
      userId: verification.claims.sub,
      email: verification.claims.email,
      admin: verification.claims.admin === true,
    },
  };
};
