/** GET /health: 200 when the table and the bus answer, 503 naming what does not. */
import type { APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { required } from '../shared/config';
import { logger } from '../shared/logger';
import { awsDependencies } from './adapters';
import { checkReadiness } from './readiness';

const dependencies = awsDependencies({
  tableName: required('TABLE_NAME'),
  eventBusName: required('EVENT_BUS_NAME'),
});

export const handler = async (_event: unknown, context: Context): Promise<APIGatewayProxyResultV2> => {
  logger.addContext(context);
  const report = await checkReadiness(dependencies);
  if (!report.ready) logger.warn('not ready', { report });
  return {
    statusCode: report.ready ? 200 : 503,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(report),
  };
};
