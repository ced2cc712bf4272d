/** `GET /webhook`: Meta's subscription handshake. `POST /webhook`: a signed delivery, onto the bus once. */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { required } from '../shared/config';
import { logger } from '../shared/logger';
import { SIGNATURE_HEADER } from '../shared/messenger/signature';
import { awsWebhookPorts } from './adapters';
import { receiveDelivery, verifySubscription, type WebhookResponse } from './webhook';

const ports = awsWebhookPorts({
  tableName: required('TABLE_NAME'),
  eventBusName: required('EVENT_BUS_NAME'),
  appSecretId: required('APP_SECRET_ID'),
  verifyTokenId: required('VERIFY_TOKEN_ID'),
});

const asResult = (response: WebhookResponse): APIGatewayProxyResultV2 => ({
  statusCode: response.statusCode,
  headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  body: response.body,
});

export const handler = async (
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyResultV2> => {
  logger.addContext(context);
  ports.registerContext(context);
  if (event.requestContext.http.method === 'GET') {
    return asResult(await verifySubscription(event.queryStringParameters ?? {}, ports));
  }
  // HTTP APIs base64-encode bodies whose content type is not text: the signature covers the raw bytes.
  const rawBody = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  return asResult(await receiveDelivery(rawBody, event.headers[SIGNATURE_HEADER], ports));
};
