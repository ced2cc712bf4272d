/** GET /health: 200 when the table and the bus answer, 503 naming what does not. */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { logger } from '../shared/logger';
import { awsDependencies } from './adapters';
import { checkReadiness } from './readiness';

const dependencies = awsDependencies({
  tableName: process.env.TABLE_NAME ?? '',
  eventBusName: process.env.EVENT_BUS_NAME ?? '',
});

export const handler = async (): Promise<APIGatewayProxyResultV2> => {
  const report = await checkReadiness(dependencies);
  if (!report.ready) logger.warn('not ready', { report });
  return {
    statusCode: report.ready ? 200 : 503,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(report),
  };
};
